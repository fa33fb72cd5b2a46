import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

/**
 * The most bytes the temp name adds to a file's name: `.<pid>.<8 hex>.tmp`,
 * a pid of at most 7 digits (Linux's pid_max is at most 4194304). A name must
 * leave this much of the 255-byte limit free to be written atomically.
 */
export const ATOMIC_TMP_SUFFIX_MAX_BYTES = 1 + 7 + 1 + 8 + 4;

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
