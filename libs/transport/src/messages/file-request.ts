import { optString } from './fields.js';

/**
 * Salt's file client requests (salt/fileclient.py RemoteClient). They carry
 * neither `id` nor `tok`: Salt answers any holder of the session key, so the
 * master does too (the files served are the same for every minion).
 */
export const FILE_COMMANDS = new Set([
  '_file_list',
  '_file_list_emptydirs',
  '_dir_list',
  '_symlink_list',
  '_file_hash',
  '_file_hash_and_stat',
  '_file_find',
  '_serve_file',
  '_file_envs',
  '_master_opts',
  '_ext_nodes',
  '_master_tops',
]);

/** One file client request, its fields typed. `saltenv` undefined when absent (Salt then answers empty). */
export interface FileRequest {
  cmd: string;
  saltenv: string | undefined;
  path: string | undefined;
  prefix: string;
  /** `_serve_file`'s byte offset; undefined when absent or not a whole number. */
  loc: number | undefined;
  /** `_serve_file`'s gzip level, when asked for. */
  gzip: number | undefined;
  /** `_master_opts`'s `env_only`. */
  envOnly: boolean;
}

/** A file client request's fields. Never throws: Salt answers a bad field with an empty reply. */
export function parseFileRequest(load: Record<string, unknown>, cmd: string): FileRequest {
  const senv = load['saltenv'];
  const loc = load['loc'];
  const gzip = load['gzip'];
  return {
    cmd,
    // Salt str()s a numeric saltenv (`saltenv: 2024`); anything else is no saltenv.
    saltenv: typeof senv === 'string' ? senv : typeof senv === 'number' ? String(senv) : undefined,
    path: optString(load, 'path'),
    prefix: optString(load, 'prefix') ?? '',
    loc: typeof loc === 'number' && Number.isInteger(loc) ? loc : undefined,
    gzip: typeof gzip === 'number' && gzip > 0 ? gzip : undefined,
    envOnly: load['env_only'] === true,
  };
}
