import os from 'node:os';
import { errorLine } from '@tsalt/core';
import { EventListener } from '@tsalt/events';
import { isRecord, pack, ReqClient, RequestTimeoutError, unpack } from '@tsalt/transport';
import type { MasterOpts } from '@tsalt/config';
import { CliExit, EXIT, masterReqAddress, readRootKey } from './common.js';

export interface PublishRequest {
  tgt: string | string[];
  fun: string;
  arg: unknown[];
  tgt_type: string;
  ret?: string;
  jid?: string;
  kwargs?: Record<string, unknown>;
}

export interface PublishReply {
  jid: string;
  minions: string[];
  missing: string[];
}

/** One minion's return event, as the master fired it. */
export interface MinionReturn {
  id: string;
  data: Record<string, unknown>;
}

const TIMEOUT_TEXT =
  'Salt request timed out. The master is not responding. You may need to run your command with `--async` in order to bypass the congested event bus. With `--async`, the CLI tool will print the job id (jid) and exit immediately without listening for responses. You can then use `tsalt-run jobs.lookup_jid` to look up the results of the job in the job cache later.';

/**
 * Salt's LocalClient: subscribes to the master bus, publishes over the
 * request port with the root key, then gathers `salt/job/<jid>/ret/<id>`.
 */
export class LocalClient {
  private listener: EventListener | undefined;
  private req: ReqClient | undefined;

  constructor(private readonly opts: MasterOpts) {}

  /** Subscribes first, so no return can slip by before we listen. */
  async publish(p: PublishRequest, listen = true): Promise<PublishReply> {
    const key = readRootKey(this.opts);
    if (listen) {
      this.listener = new EventListener({ sockDir: this.opts.sock_dir, prefixes: ['salt/job/'] });
      try {
        await this.listener.ready(3000);
      } catch (err) {
        throw new CliExit(EXIT.GENERIC, `${errorLine(err)}`);
      }
    }
    this.req = new ReqClient({ address: masterReqAddress(this.opts) });
    const load = {
      cmd: 'publish', tgt: p.tgt, fun: p.fun, arg: p.arg, key, tgt_type: p.tgt_type, ret: p.ret ?? '', jid: p.jid ?? '',
      kwargs: { show_timeout: true, show_jid: false, delimiter: ':', ...(p.kwargs ?? {}) }, user: os.userInfo().username,
    };
    let raw: Buffer;
    try {
      raw = await this.req.request(pack({ enc: 'clear', load, version: 2 }), 10_000);
    } catch (err) {
      if (err instanceof RequestTimeoutError) throw new CliExit(EXIT.NO_RETURN, TIMEOUT_TEXT);
      throw err;
    }
    const reply = unpack(raw);
    const body = isRecord(reply) && isRecord(reply['load']) ? reply['load'] : undefined;
    if (!body) throw new CliExit(EXIT.GENERIC, `The master answered the publish with ${JSON.stringify(reply)}`);
    const error = body['error'];
    if (isRecord(error)) {
      const name = String(error['name'] ?? 'Error');
      const message = String(error['message'] ?? '');
      if (name === 'AuthenticationError') throw new CliExit(EXIT.AUTH, `Authentication error occurred: ${message}`);
      throw new CliExit(EXIT.USAGE, `ERROR: ${message}`);
    }
    const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
    return { jid: String(body['jid'] ?? ''), minions: strs(body['minions']), missing: strs(body['missing']) };
  }

  /**
   * Yields returns for `jid` from the expected minions until all have
   * returned or `deadline()` (ms since epoch) passes. The deadline is a
   * function so the caller can extend it for minions still running the job.
   */
  async *returns(jid: string, expected: Set<string>, deadline: () => number): AsyncGenerator<MinionReturn> {
    const listener = this.listener;
    if (!listener) return;
    const seen = new Set<string>();
    const prefix = `salt/job/${jid}/ret/`;
    while ([...expected].some((m) => !seen.has(m))) {
      const left = deadline() - Date.now();
      if (left <= 0) return;
      const ev = await listener.next(Math.min(left, 250));
      if (!ev || !ev.tag.startsWith(prefix)) continue;
      const id = ev.tag.slice(prefix.length);
      if (seen.has(id)) continue;
      seen.add(id);
      yield { id, data: ev.data };
    }
  }

  /** Waits for the next event with this prefix (find_job replies and the like). */
  async nextEvent(prefix: string, ms: number): Promise<{ tag: string; data: Record<string, unknown> } | undefined> {
    const end = Date.now() + ms;
    for (;;) {
      const left = end - Date.now();
      if (left <= 0 || !this.listener) return undefined;
      const ev = await this.listener.next(left);
      if (!ev) return undefined;
      if (ev.tag.startsWith(prefix)) return ev;
    }
  }

  close(): void {
    this.listener?.close();
    this.req?.close();
  }
}
