import fs from 'node:fs';
import path from 'node:path';
import type { StateContext, StateReturn } from '../types.js';
import {
  exists as pathExists,
  expandUser,
  fail,
  flag,
  isDir,
  isLink,
  isTest,
  lexists,
  newRet,
  saltOf,
} from './common.js';

/** `os.path.expandvars`: `$NAME` and `${NAME}` from the environment; unknown ones stay as written. */
function expandVars(p: string): string {
  return p.replace(/\$(\w+)|\$\{([^}]*)\}/g, (m: string, a?: string, b?: string) => process.env[a ?? b ?? ''] ?? m);
}

/** Salt's file.exists. */
export function exists(_ctx: StateContext, a: { name: unknown }): Promise<StateReturn> {
  const name = expandUser(a.name);
  const ret = newRet(name);
  if (!name) return Promise.resolve(fail(ret, 'Must provide name to file.exists'));
  if (!pathExists(name)) return Promise.resolve(fail(ret, `Specified path ${name} does not exist`));
  ret.comment = `Path ${name} exists`;
  return Promise.resolve(ret);
}

/** Salt's file.missing. */
export function missing(_ctx: StateContext, a: { name: unknown }): Promise<StateReturn> {
  const name = expandUser(a.name);
  const ret = newRet(name);
  if (!name) return Promise.resolve(fail(ret, 'Must provide name to file.missing'));
  if (pathExists(name)) return Promise.resolve(fail(ret, `Specified path ${name} exists`));
  ret.comment = `Path ${name} is missing`;
  return Promise.resolve(ret);
}

/** `shutil.move`: a rename, or a copy and remove across filesystems. */
function move(src: string, dst: string): void {
  try {
    fs.renameSync(src, dst);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    fs.cpSync(src, dst, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    fs.rmSync(src, { recursive: true, force: true });
  }
}

/** Salt's file.rename. */
export async function rename(
  ctx: StateContext,
  a: { name: unknown; source: unknown; force?: unknown; makedirs?: unknown },
): Promise<StateReturn> {
  const salt = saltOf(ctx);
  const name = expandVars(expandUser(a.name));
  const source = expandVars(expandUser(a.source));
  const ret = newRet(name);
  if (!name) return fail(ret, 'Must provide name to file.rename');
  if (!path.isAbsolute(name)) return fail(ret, `Specified file ${name} is not an absolute path`);
  if (!lexists(source)) {
    ret.comment = `Source file "${source}" has already been moved out of place`;
    return ret;
  }
  if (lexists(name)) {
    if (!flag(a.force)) {
      ret.comment = `The target file "${name}" exists and will not be overwritten`;
      return ret;
    }
    if (!isTest(ctx)) {
      try {
        await salt('file.remove', [name]);
      } catch {
        return fail(ret, `Failed to delete "${name}" in preparation for forced move`);
      }
    }
  }
  if (isTest(ctx)) {
    ret.comment = `File "${source}" is set to be moved to "${name}"`;
    ret.result = null;
    return ret;
  }
  const dname = path.dirname(name);
  if (!isDir(dname)) {
    if (!flag(a.makedirs)) return fail(ret, `The target directory ${dname} is not present`);
    await salt('file.makedirs', [name]);
  }
  try {
    if (isLink(source)) {
      fs.symlinkSync(fs.readlinkSync(source), name);
      fs.unlinkSync(source);
    } else move(source, name);
  } catch {
    return fail(ret, `Failed to move "${source}" to "${name}"`);
  }
  ret.comment = `Moved "${source}" to "${name}"`;
  ret.changes = { [name]: source };
  return ret;
}
