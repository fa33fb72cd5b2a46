import fs from 'node:fs';
import path from 'node:path';
import { pyStr } from '@tsalt/core';
import type { FileFunction } from './basic.js';
import { makedirsPerms } from './perms.js';
import { chown } from './stat-ops.js';
import {
  executionError,
  expandUser,
  gidToGroup,
  groupToGid,
  invocationError,
  isLink,
  lstatOrNull,
  oserror,
  uidToUser,
  userToUid,
} from './util.js';

/** A uid/gid argument: a number, or digits from the CLI. */
const asId = (v: unknown): number => (typeof v === 'number' ? v : Number(pyStr(v)));

/** The owner lookups and link helpers Salt's file state calls through `__salt__`. */
export const ownerFunctions: Record<string, FileFunction> = {
  user_to_uid: {
    doc: "Convert user name to a uid\n\nuser\n    user name to convert to its uid\n\nCLI Example:\n\n    salt '*' file.user_to_uid root",
    params: ['user'],
    fn: (_ctx, a) => userToUid(a['user'] === '' ? null : a['user']),
  },
  group_to_gid: {
    doc: "Convert the group to the gid on this system\n\ngroup\n    group to convert to its gid\n\nCLI Example:\n\n    salt '*' file.group_to_gid root",
    params: ['group'],
    fn: (_ctx, a) => groupToGid(a['group'] === '' ? null : a['group']),
  },
  uid_to_user: {
    doc: "Convert a uid to a user name\n\nuid\n    uid to convert to a username\n\nCLI Example:\n\n    salt '*' file.uid_to_user 0",
    params: ['uid'],
    fn: (_ctx, a) => uidToUser(asId(a['uid'])),
  },
  gid_to_group: {
    doc: "Convert the group id to the group name on this system\n\ngid\n    gid to convert to a group name\n\nCLI Example:\n\n    salt '*' file.gid_to_group 0",
    params: ['gid'],
    fn: (_ctx, a) => gidToGroup(asId(a['gid'])),
  },
  is_link: {
    doc: "Check if the path is a symbolic link\n\nCLI Example:\n\n    salt '*' file.is_link /path/to/link",
    params: ['path'],
    fn: (_ctx, a) => isLink(expandUser(a['path'])),
  },
  lchown: {
    doc: "Chown a file, pass the file the desired user and group without following\nsymlinks.\n\npath\n    path to the file or directory\nuser\n    user owner\ngroup\n    group owner\n\nCLI Example:\n\n    salt '*' file.lchown /etc/passwd root root",
    params: ['path', 'user', 'group'],
    fn: (_ctx, a) => {
      const p = expandUser(a['path']);
      const err = chown(p, a['user'], a['group'], false);
      if (err) return err;
      return null;
    },
  },
  link: {
    doc: "Create a hard link to a file\n\nCLI Example:\n\n    salt '*' file.link /path/to/file /path/to/link",
    params: ['src', 'path'],
    fn: (_ctx, a) => {
      const src = expandUser(a['src']);
      if (!path.isAbsolute(src)) throw invocationError('File path must be absolute.');
      const dst = pyStr(a['path']);
      try {
        fs.linkSync(src, dst);
      } catch (err) {
        throw executionError(`Could not create '${dst}': ${oserror(err, src)} -> '${dst}'`, err);
      }
      return true;
    },
  },
  is_hardlink: {
    doc: "Check if the path is a hard link by verifying that the number of links\nis larger than 1\n\nCLI Example:\n\n   salt '*' file.is_hardlink /path/to/link",
    params: ['path'],
    fn: (_ctx, a) => (lstatOrNull(expandUser(a['path']))?.nlink ?? 0) > 1,
  },
  makedirs_perms: {
    doc: "Taken and modified from os.makedirs to set user, group and mode for each\ndirectory created.\n\nCLI Example:\n\n    salt '*' file.makedirs_perms /opt/code",
    params: [
      'name',
      { name: 'user', default: null },
      { name: 'group', default: null },
      { name: 'mode', default: '0755' },
    ],
    fn: (_ctx, a) => {
      makedirsPerms(expandUser(a['name']), a['user'], a['group'], a['mode']);
      return true;
    },
  },
};
