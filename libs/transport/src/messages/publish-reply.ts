import { isRecord, pyStr } from '@tsalt/core';
import { BadMessageError } from '../errors.js';

/** The master's answer to a clear `publish`, inside `{enc: 'clear', load}`: the job, or Salt's error form. */
export type PublishReply =
  | {
      kind: 'published';
      /** '' when the target matched no minion. */
      jid: string;
      minions: string[];
      missing: string[];
      /** tsalt's `[Not connected]` list; absent from a Salt master's reply. */
      not_connected?: string[];
    }
  | { kind: 'error'; name: string; message: string };

const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** The publish reply, or a refusal naming `load` when there is no `{load: {...}}` map. */
export function parsePublishReply(reply: unknown): PublishReply {
  const body = isRecord(reply) && isRecord(reply['load']) ? reply['load'] : undefined;
  if (!body) throw new BadMessageError(`The master answered the publish with ${JSON.stringify(reply)}`, 'load');
  const error = body['error'];
  if (isRecord(error)) {
    const name = typeof error['name'] === 'string' ? error['name'] : 'Error';
    const message = typeof error['message'] === 'string' ? error['message'] : pyStr(error['message'] ?? '');
    return { kind: 'error', name, message };
  }
  const out: PublishReply = {
    kind: 'published',
    jid: pyStr(body['jid'] ?? ''),
    minions: strs(body['minions']),
    missing: strs(body['missing']),
  };
  if (Array.isArray(body['not_connected'])) out.not_connected = strs(body['not_connected']);
  return out;
}
