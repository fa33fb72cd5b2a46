import fs from 'node:fs';
import path from 'node:path';

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Salt's `salt.utils.path.which`: the full path of an executable, searched
 * on `pathEnv` (a PATH string), or null. A name with a `/` is checked as is.
 */
export function which(cmd: string, pathEnv: string | undefined): string | null {
  if (!cmd) return null;
  if (cmd.includes('/')) return isExecutableFile(cmd) ? cmd : null;
  for (const dir of (pathEnv ?? '').split(':')) {
    const candidate = path.join(dir || '.', cmd);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

export { isExecutableFile };
