import fs from 'node:fs';
import path from 'node:path';
import { errorLine } from '@tsalt/core';
import { localRequestAddress, tcpAddress } from '@tsalt/transport';
import { RootKeyUnreadableError } from './errors.js';
import type { ClientOpts } from './types.js';

/** The key that lets local clients publish: `<cachedir>/.root_key`, written by the master at start. */
export function readRootKey(opts: Pick<ClientOpts, 'cachedir'>): string {
  const file = path.join(opts.cachedir, '.root_key');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'it does not exist (is tsalt-master running with this config?)'
        : errorLine(err);
    throw new RootKeyUnreadableError(file, why, { cause: err });
  }
}

/**
 * Where local clients reach the master: its IPC request socket in sock_dir
 * when there is one (a flood on ret_port cannot crowd it out), else the
 * request port, on loopback when it listens on every interface.
 */
export function masterReqAddress(opts: Pick<ClientOpts, 'interface' | 'ret_port' | 'sock_dir'>): string {
  const local = localRequestAddress(opts.sock_dir);
  if (fs.existsSync(local.slice('ipc://'.length))) return local;
  const host = opts.interface === '0.0.0.0' || opts.interface === '::' ? '127.0.0.1' : opts.interface;
  return tcpAddress(host, opts.ret_port);
}
