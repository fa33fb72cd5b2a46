import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '@tsalt/core';

/** A temp config folder holding `files` (relative path -> YAML text). */
export function configDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-config-'));
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return dir;
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A logger that records warning lines; only the methods the lib calls. */
export function recordingLogger(): { log: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const pick = (args: unknown[]): string => String(args.find((a) => typeof a === 'string') ?? '');
  const fake = {
    warn: (...args: unknown[]) => void warnings.push(pick(args)),
    debug: () => undefined,
    info: () => undefined,
    error: () => undefined,
    trace: () => undefined,
    child: () => fake,
  };
  return { log: fake as unknown as Logger, warnings };
}
