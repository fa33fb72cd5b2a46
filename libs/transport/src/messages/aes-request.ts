import { isRecord } from '@tsalt/core';
import { invalidIdReason } from '@tsalt/crypto';
import { BadMessageError } from '../errors.js';
import { optNonEmpty, optString, withoutTransport } from './fields.js';

/** What every AES request of the request port carries, checked before its command's own fields. */
export interface AesRequestHead {
  cmd: string;
  /** The sender's minion id, a valid one; whether it is accepted is the master's business. */
  id: string;
  /** The minion's token (CVE-2024-38822); undefined when absent (Salt 3006.8's `_return`, `_pillar`). */
  tok: unknown;
}

/** The head of an AES request, or a refusal naming `cmd` or `id`. The nonce: `parseNonce`. */
export function parseAesHead(load: Record<string, unknown>): AesRequestHead {
  const cmd = load['cmd'];
  if (typeof cmd !== 'string') throw new BadMessageError('AES request without a cmd', 'cmd');
  const id = load['id'];
  if (typeof id !== 'string' || invalidIdReason(id))
    throw new BadMessageError('AES request with a bad minion id', 'id');
  return { cmd, id, tok: load['tok'] };
}

/**
 * A `_return` (Salt's `AESFuncs._return`): Salt's return dict. Every field
 * the minion sent is kept (the master stores and fires them as they are),
 * less `tok` and `nonce`; `id` is the sender checked by the head.
 */
export interface ReturnLoad {
  id: string;
  jid: string;
  fun?: unknown;
  fun_args?: unknown;
  return?: unknown;
  retcode?: unknown;
  success?: unknown;
  [k: string]: unknown;
}

/** A `_return`'s fields, or a refusal naming `jid`. */
export function parseReturnLoad(load: Record<string, unknown>, id: string): ReturnLoad {
  const jid = load['jid'];
  if (typeof jid !== 'string') throw new BadMessageError('_return: jid must be a string', 'jid');
  return { ...withoutTransport(load), id, jid };
}

/** One event of `_minion_event`, its data always a mapping (a bare value sits under `data`). */
export interface MinionEvent {
  tag: string;
  data: Record<string, unknown>;
}

/**
 * `_minion_event` (`event.send`, `event.fire_master`, beacons): either a
 * batch (`events`) or a single event whose fired data is the whole load
 * less tok and nonce (`{cmd, id, tag, data, pretag}`), as Salt's masterapi.
 */
export type MinionEventLoad =
  | { kind: 'batch'; events: MinionEvent[]; pretag: string | undefined }
  | { kind: 'single'; tag: string; fields: Record<string, unknown>; pretag: string | undefined };

/** A `_minion_event`'s fields, or a refusal naming `tag`. Batch entries without a string tag are skipped, as Salt. */
export function parseMinionEventLoad(load: Record<string, unknown>): MinionEventLoad {
  const pretag = optNonEmpty(load, 'pretag');
  const events = load['events'];
  if (Array.isArray(events)) {
    const out: MinionEvent[] = [];
    for (const ev of events) {
      if (isRecord(ev) && typeof ev['tag'] === 'string') {
        out.push({ tag: ev['tag'], data: isRecord(ev['data']) ? ev['data'] : { data: ev['data'] } });
      }
    }
    return { kind: 'batch', events: out, pretag };
  }
  const tag = optNonEmpty(load, 'tag');
  if (tag === undefined) throw new BadMessageError('_minion_event: tag must be a non-empty string', 'tag');
  return { kind: 'single', tag, fields: withoutTransport(load), pretag };
}

/** tsalt's `_presence` heartbeat: `leaving` on shutdown, `interval` (s) until the next one. */
export interface PresenceLoad {
  leaving: boolean;
  interval: number | undefined;
}

export function parsePresenceLoad(load: Record<string, unknown>): PresenceLoad {
  const interval = load['interval'];
  return { leaving: load['leaving'] === true, interval: typeof interval === 'number' ? interval : undefined };
}

/** `_pillar` (Salt's `AESFuncs._pillar`), checked once here. */
export interface PillarLoad {
  id: string;
  /** Absent from Salt 3006.8's `_pillar`; checked when present. */
  tok: unknown;
  /** The minion's grains; undefined when the load has none (Salt then answers False). */
  grains: Record<string, unknown> | undefined;
  saltenv: string | null;
  pillarenv: string | null;
  /** Merged over the compiled pillar, as Salt's `pillar_override`. */
  pillarOverride: Record<string, unknown>;
  /** A `pillar_override` that was not a mapping: ignored, and Salt logs it. */
  overrideIgnored: boolean;
}

const strOrNull = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * The load as Salt's AESFuncs._pillar reads it: `saltenv` (or the older
 * `env`), `pillarenv`, `pillar_override` (a mapping, else ignored). `id` is
 * the one the head already checked.
 */
export function parsePillarLoad(load: Record<string, unknown>, id: string): PillarLoad {
  const override = load['pillar_override'];
  const grains = load['grains'];
  return {
    id,
    tok: load['tok'],
    grains: isRecord(grains) ? grains : undefined,
    saltenv: strOrNull(load['saltenv'] ?? load['env']),
    pillarenv: strOrNull(optString(load, 'pillarenv')),
    pillarOverride: isRecord(override) ? override : {},
    overrideIgnored: override !== undefined && override !== null && !isRecord(override),
  };
}
