/*
 * What the file client needs from a file server: the master's over the
 * request channel (file_client: remote) or the minion's own file_roots
 * (file_client: local). Paths are relative to the roots, already checked.
 */

/** A file's digest on the server. */
export interface ServerHash {
  hsum: string;
  hash_type: string;
}

/** One chunk of a served file; empty `data` ends the file. */
export interface ServerChunk {
  data: Uint8Array;
  /** The file's path relative to the root ('' when there is no such file). */
  dest: string;
  /** The gzip level when the chunk is compressed. */
  gzip?: number;
}

export type ListKind = '_file_list' | '_file_list_emptydirs' | '_dir_list';

export interface FileServerBackend {
  /** Salt's `_file_envs`: the saltenvs the server has. */
  envs(): Promise<string[]>;
  list(kind: ListKind, saltenv: string, prefix: string): Promise<string[]>;
  /** undefined when the file is not on the server. */
  hash(path: string, saltenv: string): Promise<ServerHash | undefined>;
  /** Salt's `_file_find`: the file's os.stat() list (mode first) when the server sends it; undefined when it has no such file. */
  find(path: string, saltenv: string): Promise<{ stat?: number[] } | undefined>;
  /** The chunk at byte offset `loc`. */
  chunk(path: string, saltenv: string, loc: number): Promise<ServerChunk>;
}
