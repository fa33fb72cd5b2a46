import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

/**
 * Writes a file atomically: a temp file in the same folder, then rename.
 * Readers never see a half-written file, which matters for keys and job data.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, data, { mode });
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, file);
  } catch (err) {
    // A full disk leaves an empty temp file behind; it must not pile up on every retry.
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

export async function writeFileAtomicAsync(file: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  await fs.promises.writeFile(tmp, data, { mode });
  await fs.promises.chmod(tmp, mode);
  await fs.promises.rename(tmp, file);
}

/** Reads a file, or returns undefined when it does not exist. */
export function readIfExists(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
