import { isRecord } from '@tsalt/core';
import { asBytes } from '../serialize.js';

/*
 * The file server's requests as a minion sends them over the AES request
 * channel (Salt's RemoteClient), and its replies parsed once into types.
 * `id`, `tok` and `nonce` are added by the channel itself.
 */

/** `_file_list`, `_file_list_emptydirs`, `_dir_list`: every path under `prefix` in `saltenv`. */
export interface FileListRequest {
  cmd: '_file_list' | '_file_list_emptydirs' | '_dir_list';
  saltenv: string;
  prefix: string;
}

/** `_file_hash`, `_file_find`: one file, by its path relative to the roots. */
export interface FilePathRequest {
  cmd: '_file_hash' | '_file_find';
  path: string;
  saltenv: string;
}

/** `_serve_file`: one chunk (at most the master's file_buffer_size bytes) from offset `loc`. */
export interface ServeFileRequest {
  cmd: '_serve_file';
  path: string;
  saltenv: string;
  /** Byte offset of the chunk wanted. */
  loc: number;
  /** gzip level for the chunk; tsalt never asks for it. */
  gzip?: number;
}

/** `_master_opts`, and `_file_envs` (the saltenvs the master serves): no arguments. */
export interface MasterOptsRequest {
  cmd: '_master_opts' | '_file_envs';
}

export type FileServerRequest = FileListRequest | FilePathRequest | ServeFileRequest | MasterOptsRequest;

/** `_file_hash`'s reply: the hex digest and its algorithm, or undefined when the file is not there. */
export interface FileHash {
  hsum: string;
  hash_type: string;
}

/** `_serve_file`'s reply: the chunk (empty at the end or for a missing file) and the file's path relative to the root. */
export interface ServedChunk {
  data: Buffer;
  dest: string;
  /** Set when the master compressed the chunk. */
  gzip?: number;
}

/** A list reply: Salt answers a list of strings (anything else reads as empty). */
export function parseFileList(reply: unknown): string[] {
  return Array.isArray(reply) ? reply.filter((x): x is string => typeof x === 'string') : [];
}

/** `_file_hash`: `{hsum, hash_type}`, or undefined for Salt's '' / {} (no such file). */
export function parseFileHash(reply: unknown): FileHash | undefined {
  if (!isRecord(reply)) return undefined;
  const { hsum, hash_type: hashType } = reply;
  if (typeof hsum !== 'string' || hsum === '' || typeof hashType !== 'string') return undefined;
  return { hsum, hash_type: hashType };
}

/** `_serve_file`: the data comes as bytes (raw) or text; a missing file answers empty data and dest. */
export function parseServedChunk(reply: unknown): ServedChunk {
  if (!isRecord(reply)) return { data: Buffer.alloc(0), dest: '' };
  const raw = reply['data'];
  const data = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : (asBytes(raw) ?? Buffer.alloc(0));
  const dest = typeof reply['dest'] === 'string' ? reply['dest'] : '';
  const gzip = typeof reply['gzip'] === 'number' ? reply['gzip'] : undefined;
  return { data, dest, ...(gzip !== undefined ? { gzip } : {}) };
}

/** `_file_find`'s reply: where the master found the file (`path` on its disk, `rel` to the root) and its stat list. */
export interface FoundFile {
  path: string;
  rel: string;
  /** Python's os.stat() as a list (mode first), when the master sends it. */
  stat?: number[];
}

/** `_file_find`: undefined when the master has no such file (`path` empty). */
export function parseFoundFile(reply: unknown): FoundFile | undefined {
  if (!isRecord(reply) || typeof reply['path'] !== 'string' || reply['path'] === '') return undefined;
  const rel = typeof reply['rel'] === 'string' ? reply['rel'] : '';
  const stat = reply['stat'];
  const nums = Array.isArray(stat) && stat.every((x) => typeof x === 'number') ? stat : undefined;
  return { path: reply['path'], rel, ...(nums ? { stat: nums } : {}) };
}

/** `_master_opts`: the master's options as it chooses to share them (a mapping; anything else reads as empty). */
export function parseMasterOpts(reply: unknown): Record<string, unknown> {
  return isRecord(reply) ? reply : {};
}
