import { pyStr } from '@tsalt/core';
import fs from 'node:fs';
import path from 'node:path';
import type { MinionConfig } from '@tsalt/config';
import { SaltInvocationError, type BoundArgs, type PluginFunction } from '@tsalt/loader';
import type { ModuleServices } from '../context.js';
import {
  executionError,
  expandUser,
  flag,
  invocationError,
  isDir,
  isFile,
  isLink,
  exists,
  normpath,
  oserror,
  pyDirname,
  realpath,
  strerror,
} from './util.js';

export type FileFunction = PluginFunction<MinionConfig, ModuleServices>;

/** `*args`, or the `args=` kwarg (which Salt takes over them so a line may hold '='). */
export function lineArgs(a: BoundArgs): unknown[] {
  const kw = a['__kwargs__'] as Record<string, unknown>;
  if ('args' in kw) return Array.isArray(kw['args']) ? kw['args'] : [kw['args']];
  return a['__args__'] as unknown[];
}

/** Python's str() of a CLI value for a file line: True, None, {'a': 1}. */
export const lineText = (v: unknown): string => pyStr(v);

function mustBeAbsolute(p: string, msg = 'File path must be absolute.'): void {
  if (!path.isAbsolute(p)) throw invocationError(msg);
}

/** Copies a tree, keeping what is in `dst` (Salt's recursive_copy). */
function recursiveCopy(src: string, dst: string): void {
  fs.cpSync(src, dst, { recursive: true, force: true, verbatimSymlinks: true });
}

export const basicFunctions: Record<string, FileFunction> = {
  read: {
    doc: "Return the content of the file.\n\n:param bool binary: Whether to read and return binary data\n\nCLI Example:\n\n    salt '*' file.read /path/to/file",
    params: ['path', { name: 'binary', default: false }],
    fn: (_ctx, a) => {
      const p = expandUser(a['path']);
      try {
        return a['binary'] === true ? fs.readFileSync(p) : fs.readFileSync(p, 'utf8');
      } catch (err) {
        throw executionError(oserror(err, p), err);
      }
    },
  },
  write: {
    doc: 'Write text to a file, overwriting any existing contents.\n\npath\n    path to file\n\n`*args`\n    strings to write to the file\n\nCLI Example:\n\n    salt \'*\' file.write /etc/motd "With all thine offerings thou shalt offer salt."\n\nIf a line holds an equal sign, pass it as ``args=``.',
    params: ['path'],
    varargs: true,
    varkw: true,
    fn: (_ctx, a) => {
      const p = expandUser(a['path']);
      const lines = lineArgs(a).map((l) => `${lineText(l)}\n`);
      try {
        fs.writeFileSync(p, lines.join(''));
      } catch (err) {
        throw executionError(oserror(err, p), err);
      }
      return `Wrote ${lines.length} lines to "${p}"`;
    },
  },
  touch: {
    doc: "Just like the ``touch`` command, create a file if it doesn't exist or\nsimply update the atime and mtime if it already does.\n\natime:\n    Access time in Unix epoch time.\nmtime:\n    Last modification in Unix epoch time.\n\nCLI Example:\n\n    salt '*' file.touch /var/log/emptyfile",
    params: ['name', { name: 'atime', default: null }, { name: 'mtime', default: null }],
    fn: (_ctx, a) => {
      const p = expandUser(a['name']);
      const num = (v: unknown): number | null => {
        if (v === null || v === undefined) return null;
        const n = Number(v);
        if (!Number.isFinite(n) || typeof v === 'boolean') throw invocationError('atime and mtime must be integers');
        return n;
      };
      const now = Date.now() / 1000;
      const at = num(a['atime']);
      const mt = num(a['mtime']);
      try {
        if (!exists(p)) fs.closeSync(fs.openSync(p, 'a'));
        fs.utimesSync(p, at ?? now, mt ?? now);
      } catch (err) {
        throw executionError(strerror(err), err);
      }
      return exists(p);
    },
  },
  file_exists: {
    doc: "Tests to see if path is a valid file. Returns True/False.\n\nCLI Example:\n\n    salt '*' file.file_exists /etc/passwd",
    params: ['path'],
    fn: (_ctx, a) => isFile(expandUser(a['path'])),
  },
  directory_exists: {
    doc: "Tests to see if path is a valid directory. Returns True/False.\n\nCLI Example:\n\n    salt '*' file.directory_exists /etc",
    params: ['path'],
    fn: (_ctx, a) => isDir(expandUser(a['path'])),
  },
  remove: {
    doc: "Remove the named file. If a directory is supplied, it will be recursively\ndeleted.\n\nCLI Example:\n\n    salt '*' file.remove /tmp/foo",
    params: ['path'],
    varkw: true,
    fn: (_ctx, a) => {
      const p = expandUser(a['path']);
      if (!path.isAbsolute(p)) throw invocationError(`File path must be absolute: ${p}`);
      try {
        if (isLink(p) || (exists(p) && !isDir(p))) {
          fs.unlinkSync(p);
          return true;
        }
        if (isDir(p)) {
          fs.rmSync(p, { recursive: true });
          return true;
        }
      } catch (err) {
        throw executionError(`Could not remove '${p}': ${oserror(err, p)}`, err);
      }
      return false;
    },
  },
  rename: {
    doc: "Rename a file or directory\n\nCLI Example:\n\n    salt '*' file.rename /path/to/src /path/to/dst",
    params: ['src', 'dst'],
    fn: (_ctx, a) => {
      const src = expandUser(a['src']);
      const dst = expandUser(a['dst']);
      mustBeAbsolute(src);
      try {
        fs.renameSync(src, dst);
      } catch (err) {
        throw executionError(`Could not rename '${src}' to '${dst}'`, err);
      }
      return true;
    },
  },
  copy: {
    doc: "Copy a file or directory from source to dst\n\nIn order to copy a directory, the recurse flag is required, and\nwill by default overwrite files in the destination with the same path,\nand retain all other existing files. (similar to cp -r on unix)\n\nremove_existing will remove all files in the target directory,\nand then copy files from the source.\n\nCLI Example:\n\n    salt '*' file.copy /path/to/src /path/to/dst\n    salt '*' file.copy /path/to/src_dir /path/to/dst_dir recurse=True",
    params: ['src', 'dst', { name: 'recurse', default: false }, { name: 'remove_existing', default: false }],
    fn: (_ctx, a) => {
      const src = expandUser(a['src']);
      const dst = expandUser(a['dst']);
      mustBeAbsolute(src);
      if (!exists(src)) throw executionError(`No such file or directory '${src}'`);
      const pre = fs.statSync(src);
      try {
        if (isDir(dst) || isDir(src)) {
          if (!flag(a['recurse']))
            throw invocationError('Cannot copy overwriting a directory without recurse flag set to true!');
          if (flag(a['remove_existing']) && exists(dst)) fs.rmSync(dst, { recursive: true });
          recursiveCopy(src, dst);
        } else {
          fs.copyFileSync(src, dst);
        }
      } catch (err) {
        if (err instanceof SaltInvocationError) throw err;
        throw executionError(`Could not copy '${src}' to '${dst}'`, err);
      }
      // Salt's check_perms(dst, None, pre_user, pre_group, pre_mode): the copy keeps the source's owner and mode.
      try {
        fs.chmodSync(dst, pre.mode & 0o7777);
        if (process.getuid?.() === 0) fs.chownSync(dst, pre.uid, pre.gid);
      } catch {
        // Salt records a failed chown in a ret it throws away; so do we.
      }
      return true;
    },
  },
  symlink: {
    doc: "Create a symbolic link (symlink, soft link) to a file\n\nArgs:\n    src (str): The path to a file or directory\n    path (str): The path to the link. Must be an absolute path\n    force (bool): Overwrite an existing symlink with the same name\n    atomic (bool): Use atomic file operations to create the symlink\n\nReturns:\n    bool: ``True`` if successful, otherwise raises ``CommandExecutionError``\n\nCLI Example:\n\n    salt '*' file.symlink /path/to/file /path/to/link",
    params: ['src', 'path', { name: 'force', default: false }, { name: 'atomic', default: false }],
    fn: (_ctx, a) => {
      const src = pyStr(a['src']);
      const p = expandUser(a['path']);
      const force = flag(a['force']);
      const atomic = flag(a['atomic']);
      if (!path.isAbsolute(p)) throw invocationError(`Link path must be absolute: ${p}`);
      if (isLink(p)) {
        if (normpath(fs.readlinkSync(p)) === normpath(src)) return true;
        if (!force && !atomic) throw executionError(`Found existing symlink: ${p}`);
      }
      if (exists(p) && !force && !atomic) throw executionError(`Existing path is not a symlink: ${p}`);
      if (atomic) {
        const tmp = path.join(path.dirname(p), `.tsalt-link-${process.pid}-${Date.now()}`);
        try {
          fs.symlinkSync(src, tmp);
          fs.renameSync(tmp, p);
          return true;
        } catch (err) {
          fs.rmSync(tmp, { force: true });
          throw executionError(`Could not create '${p}'`, err);
        }
      }
      try {
        if (force && (isLink(p) || exists(p))) fs.unlinkSync(p);
        fs.symlinkSync(src, p);
      } catch (err) {
        throw executionError(`Could not create '${p}'`, err);
      }
      return true;
    },
  },
  readlink: {
    doc: "Return the path that a symlink points to\n\nArgs:\n    path (str): The path to the symlink\n    canonicalize (bool): Get the canonical path eliminating any symbolic links encountered in the path\n\nCLI Example:\n\n    salt '*' file.readlink /path/to/link",
    params: ['path', { name: 'canonicalize', default: false }],
    fn: (_ctx, a) => {
      const p = expandUser(a['path']).replace(
        /\$(\w+)|\$\{(\w+)\}/g,
        (m: string, x?: string, y?: string) => process.env[x ?? y ?? ''] ?? m,
      );
      if (!path.isAbsolute(p)) throw invocationError(`Path to link must be absolute: ${p}`);
      if (!isLink(p)) throw invocationError(`A valid link was not specified: ${p}`);
      if (flag(a['canonicalize'])) return realpath(p);
      return fs.readlinkSync(p);
    },
  },
  basename: {
    doc: "Returns the final component of a pathname\n\nCLI Example:\n\n    salt '*' file.basename 'test/test.config'",
    params: ['path'],
    fn: (_ctx, a) => {
      const s = pyStr(a['path']);
      return s.slice(s.lastIndexOf('/') + 1);
    },
  },
  dirname: {
    doc: "Returns the directory component of a pathname\n\nCLI Example:\n\n    salt '*' file.dirname 'test/path/filename.config'",
    params: ['path'],
    fn: (_ctx, a) => {
      return pyDirname(pyStr(a['path']));
    },
  },
  join: {
    doc: "Return a normalized file system path for the underlying OS\n\nCLI Example:\n\n    salt '*' file.join '/' 'usr' 'local' 'bin'",
    varargs: true,
    fn: (_ctx, a) => {
      const parts = (a['__args__'] as unknown[]).map(String);
      if (!parts.length) throw invocationError('join() missing 1 required positional argument');
      let out = parts[0]!;
      for (const p of parts.slice(1)) {
        if (p.startsWith('/')) out = p;
        else if (!out || out.endsWith('/')) out += p;
        else out += `/${p}`;
      }
      return out;
    },
  },
};
