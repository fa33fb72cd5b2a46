import { isRecord } from '@tsalt/core';
import { BadMessageError } from '../errors.js';

/**
 * Small readers for the fields of a decoded msgpack map. Each parser in this
 * folder is the one place a message's raw fields are read; past it, code
 * sees typed values only.
 */

/** The map itself, or a refusal naming the message. */
export function asLoad(load: unknown, what: string): Record<string, unknown> {
  if (!isRecord(load)) throw new BadMessageError(`${what} is not a mapping`, 'load');
  return load;
}

/** A string field, or undefined when absent or not a string. */
export function optString(load: Record<string, unknown>, key: string): string | undefined {
  const v = load[key];
  return typeof v === 'string' ? v : undefined;
}

/** A non-empty string field, or undefined. */
export function optNonEmpty(load: Record<string, unknown>, key: string): string | undefined {
  const v = load[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A string field that must be there. */
export function reqString(load: Record<string, unknown>, key: string, what: string): string {
  const v = load[key];
  if (typeof v !== 'string') throw new BadMessageError(`${what}: ${key} must be a string`, key);
  return v;
}

/** A string or a list of strings (Salt's `tgt` and `fun`). */
export function isStrOrList(v: unknown): v is string | string[] {
  return typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
}

/** The load less the transport fields a reply or a store never keeps (`tok`, `nonce`). */
export function withoutTransport(load: Record<string, unknown>): Record<string, unknown> {
  const { tok: _tok, nonce: _nonce, ...rest } = load;
  return rest;
}

/**
 * The nonce a request asks its reply to carry. Read on its own, before the
 * rest is checked, because even a refusal is sealed with it.
 */
export function parseNonce(load: Record<string, unknown>): string | undefined {
  return optString(load, 'nonce');
}

/**
 * The `cmd` of a request, and how to show it in a log line or a refusal
 * (at most 40 characters, whatever it was).
 */
export function parseCommand(load: Record<string, unknown>): { cmd: string | undefined; shown: string } {
  const raw = load['cmd'];
  return { cmd: typeof raw === 'string' ? raw : undefined, shown: String(raw).slice(0, 40) };
}
