import path from 'node:path';
import { ModuleError } from '../errors.js';

/** A `salt://` source split into its path relative to the roots and its saltenv (`?saltenv=` wins over the argument). */
export interface SaltUrl {
  path: string;
  saltenv: string;
}

/**
 * Parses `salt://path[?saltenv=env]`, refusing what could leave the file
 * roots (`..` segments, absolute paths, NUL) before anything is asked of
 * the master. A bare path (no scheme) is read as relative to the roots.
 */
export function parseSaltUrl(source: string, saltenv: string): SaltUrl {
  let rest = source.startsWith('salt://') ? source.slice('salt://'.length) : source;
  let env = saltenv;
  const q = rest.indexOf('?');
  if (q >= 0) {
    const params = new URLSearchParams(rest.slice(q + 1));
    env = params.get('saltenv') ?? env;
    rest = rest.slice(0, q);
  }
  if (rest === '' || rest.includes('\0')) throw new ModuleError('INVALID_ARGUMENT', `Invalid salt:// path '${source}'`);
  if (rest.startsWith('/') || path.win32.isAbsolute(rest)) {
    throw new ModuleError('INVALID_ARGUMENT', `Refusing absolute salt:// path '${source}'`);
  }
  if (rest.split(/[/\\]/).includes('..')) {
    throw new ModuleError('INVALID_ARGUMENT', `Refusing salt:// path '${source}': '..' would leave the file roots`);
  }
  if (env === '' || env.includes('/') || env.includes('..')) {
    throw new ModuleError('INVALID_ARGUMENT', `Invalid saltenv '${env}'`);
  }
  return { path: path.posix.normalize(rest.replace(/\\/g, '/')), saltenv: env };
}

/** Whether `child` is `root` or inside it (both already resolved). */
export function isInside(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
