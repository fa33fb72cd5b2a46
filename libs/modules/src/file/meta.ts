import path from 'node:path';
import { pyStr } from '@tsalt/core';
import type { FileFunction } from './basic.js';
import { checkPerms, makedirsPerms } from './perms.js';
import { HASHES, chown, hashFile, setMode, stats } from './stat-ops.js';
import {
  executionError,
  expandUser,
  flag,
  invocationError,
  isDir,
  isFile,
  exists,
  normalizeMode,
  normpath,
  oserror,
  pyDirname,
} from './util.js';

export const metaFunctions: Record<string, FileFunction> = {
  stats: {
    doc: "Return a dict containing the stats for a given file\n\nCLI Example:\n\n    salt '*' file.stats /etc/passwd",
    params: ['path', { name: 'hash_type', default: null }, { name: 'follow_symlinks', default: true }],
    fn: (_ctx, a) => stats(expandUser(a['path']), a['hash_type'], flag(a['follow_symlinks'])),
  },
  get_hash: {
    doc: "Get the hash sum of a file\n\npath\n    path to the file or directory\nform\n    desired sum format\nchunk_size\n    amount to sum at once\n\nCLI Example:\n\n    salt '*' file.get_hash /etc/shadow",
    params: ['path', { name: 'form', default: 'sha256' }, { name: 'chunk_size', default: 65536 }],
    fn: (_ctx, a) => {
      const p = expandUser(a['path']);
      if (!HASHES.has(pyStr(a['form']))) throw executionError(`Invalid hash type: ${pyStr(a['form'])}`);
      try {
        return hashFile(p, pyStr(a['form']), Number(a['chunk_size']) || 65536);
      } catch (err) {
        throw executionError(oserror(err, p), err);
      }
    },
  },
  get_sum: {
    doc: "Return the checksum for the given file. The following checksum algorithms\nare supported: md5, sha1, sha224, sha256 (default), sha384, sha512\n\nCLI Example:\n\n    salt '*' file.get_sum /etc/passwd sha512",
    params: ['path', { name: 'form', default: 'sha256' }],
    fn: (_ctx, a) => {
      const p = expandUser(a['path']);
      if (!isFile(p)) return 'File not found';
      return hashFile(p, pyStr(a['form']), 4096);
    },
  },
  get_mode: {
    doc: "Return the mode of a file\n\npath\n    file or directory of which to get the mode\nfollow_symlinks\n    indicated if symlinks should be followed\n\nCLI Example:\n\n    salt '*' file.get_mode /etc/passwd",
    params: ['path', { name: 'follow_symlinks', default: true }],
    fn: (_ctx, a) => stats(expandUser(a['path']), null, flag(a['follow_symlinks']))['mode'] ?? '',
  },
  set_mode: {
    doc: "Set the mode of a file\n\npath\n    file or directory of which to set the mode\nmode\n    mode to set the path to\n\nCLI Example:\n\n    salt '*' file.set_mode /etc/passwd 0644",
    params: ['path', 'mode'],
    fn: (_ctx, a) => setMode(expandUser(a['path']), a['mode']),
  },
  get_user: {
    doc: "Return the user that owns a given file\n\nCLI Example:\n\n    salt '*' file.get_user /etc/passwd",
    params: ['path', { name: 'follow_symlinks', default: true }],
    fn: (_ctx, a) => stats(expandUser(a['path']), null, flag(a['follow_symlinks']))['user'] ?? false,
  },
  get_group: {
    doc: "Return the group that owns a given file\n\nCLI Example:\n\n    salt '*' file.get_group /etc/passwd",
    params: ['path', { name: 'follow_symlinks', default: true }],
    fn: (_ctx, a) => stats(expandUser(a['path']), null, flag(a['follow_symlinks']))['group'] ?? false,
  },
  get_uid: {
    doc: "Return the id of the user that owns a given file\n\nCLI Example:\n\n    salt '*' file.get_uid /etc/passwd",
    params: ['path', { name: 'follow_symlinks', default: true }],
    fn: (_ctx, a) => stats(expandUser(a['path']), null, flag(a['follow_symlinks']))['uid'] ?? -1,
  },
  get_gid: {
    doc: "Return the id of the group that owns a given file\n\nCLI Example:\n\n    salt '*' file.get_gid /etc/passwd",
    params: ['path', { name: 'follow_symlinks', default: true }],
    fn: (_ctx, a) => stats(expandUser(a['path']), null, flag(a['follow_symlinks']))['gid'] ?? -1,
  },
  chown: {
    doc: "Chown a file, pass the file the desired user and group\n\npath\n    path to the file or directory\nuser\n    user owner\ngroup\n    group owner\n\nCLI Example:\n\n    salt '*' file.chown /etc/passwd root root",
    params: ['path', 'user', 'group'],
    fn: (_ctx, a) => chown(expandUser(a['path']), a['user'], a['group']),
  },
  check_perms: {
    doc: "Check the permissions on files, modify attributes and chown if needed.\nReturns a list of (ret, perms): ret is a state-like dict with ``changes``\n(user, group, mode) and ``result``.\n\nCLI Example:\n\n    salt '*' file.check_perms /etc/sudoers '{}' root root 400",
    params: [
      'name',
      'ret',
      'user',
      'group',
      'mode',
      { name: 'attrs', default: null },
      { name: 'follow_symlinks', default: false },
      { name: 'seuser', default: null },
      { name: 'serole', default: null },
      { name: 'setype', default: null },
      { name: 'serange', default: null },
    ],
    fn: (ctx, a) => {
      if (a['attrs'] !== null) throw invocationError('attrs is not supported by tsalt yet');
      const ret = a['ret'] && typeof a['ret'] === 'object' ? (a['ret'] as Record<string, unknown>) : null;
      return checkPerms(expandUser(a['name']), ret, a['user'], a['group'], a['mode'], {
        followSymlinks: flag(a['follow_symlinks']),
        test: ctx.opts.test === true,
      });
    },
  },
  mkdir: {
    doc: "Ensure that a directory is available.\n\nCLI Example:\n\n    salt '*' file.mkdir /opt/jetty/context",
    params: [
      'dir_path',
      { name: 'user', default: null },
      { name: 'group', default: null },
      { name: 'mode', default: null },
    ],
    fn: (_ctx, a) => {
      const dir = normpath(expandUser(a['dir_path']));
      if (!isDir(dir)) makedirsPerms(dir, a['user'], a['group'], a['mode']);
      return true;
    },
  },
  makedirs: {
    doc: "Ensure that the directory containing this path is available.\n\n.. note::\n    The path must end with a trailing slash otherwise the directory(s) will\n    be created up to the parent directory.\n\nCLI Example:\n\n    salt '*' file.makedirs /opt/code/",
    params: [
      'path',
      { name: 'user', default: null },
      { name: 'group', default: null },
      { name: 'mode', default: null },
    ],
    fn: (_ctx, a) => {
      const p = expandUser(a['path']);
      const mode = a['mode'] ? normalizeMode(a['mode']) : null;
      let dir = normpath(pyDirname(p));
      if (isDir(dir)) return `Directory '${dir}' already exists`;
      if (exists(dir)) return `The path '${dir}' already exists and is not a directory`;
      const todo: string[] = [];
      while (!isDir(dir)) {
        todo.push(dir);
        const up = path.dirname(dir);
        if (up === dir)
          throw invocationError(
            `Recursive creation for path '${up}' would result in an infinite loop. Please use an absolute path.`,
          );
        dir = up;
      }
      for (const d of todo.reverse()) if (!isDir(d)) makedirsPerms(d, a['user'], a['group'], mode);
      return null;
    },
  },
};
