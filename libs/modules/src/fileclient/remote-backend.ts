import type { MinionConfig } from '@tsalt/config';
import type { Logger } from '@tsalt/core';
import { FileClient } from './client.js';
import { LocalFileBackend } from './local-backend.js';
import type { FileServerBackend, ListKind, ServerChunk, ServerHash } from './backend.js';
import {
  parseFileHash,
  parseFileList,
  parseFoundFile,
  parseMasterOpts,
  parseServedChunk,
  type FileServerRequest,
  type FoundFile,
} from '@tsalt/transport';

/** Sends one file-server request to the master (from a job process, through the daemon's link). */
export type FileServerSend = (load: FileServerRequest) => Promise<unknown>;

/**
 * file_client: remote: the master's file server, spoken as Salt's
 * RemoteClient speaks it (docs/fileclient.md); replies are parsed by
 * @tsalt/transport's file-server parsers.
 */
export class RemoteFileBackend implements FileServerBackend {
  constructor(private readonly send: FileServerSend) {}

  async envs(): Promise<string[]> {
    return parseFileList(await this.send({ cmd: '_file_envs' }));
  }

  async list(kind: ListKind, saltenv: string, prefix: string): Promise<string[]> {
    return parseFileList(await this.send({ cmd: kind, saltenv, prefix }));
  }

  async hash(path: string, saltenv: string): Promise<ServerHash | undefined> {
    return parseFileHash(await this.send({ cmd: '_file_hash', path, saltenv }));
  }

  async chunk(path: string, saltenv: string, loc: number): Promise<ServerChunk> {
    return parseServedChunk(await this.send({ cmd: '_serve_file', path, saltenv, loc }));
  }

  /** Salt's `_file_find` (hash_and_stat_file): where the master has the file, and its stat; undefined when it has not. */
  async find(path: string, saltenv: string): Promise<FoundFile | undefined> {
    return parseFoundFile(await this.send({ cmd: '_file_find', path, saltenv }));
  }

  /** Salt's `_master_opts`: the options the master shares with minions. */
  async masterOpts(): Promise<Record<string, unknown>> {
    return parseMasterOpts(await this.send({ cmd: '_master_opts' }));
  }
}

/**
 * The minion's file client: `file_client: local` reads its own file_roots;
 * otherwise the master's file server through `send` (none: no file client).
 */
export function minionFileClient(
  opts: MinionConfig,
  send: FileServerSend | undefined,
  log: Logger,
): FileClient | undefined {
  const o = { cachedir: opts.cachedir, log };
  if (opts.file_client === 'local') return new FileClient(new LocalFileBackend(opts.file_roots, opts.hash_type), o);
  return send ? new FileClient(new RemoteFileBackend(send), o) : undefined;
}
