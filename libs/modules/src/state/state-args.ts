import { isRecord, pyStr } from '@tsalt/core';
import { pyTruthy, SaltInvocationError, type PluginFunction } from '@tsalt/loader';
import { STATE_INTERNAL_KEYWORDS, type LowChunk } from '@tsalt/states';

/*
 * The arguments of Salt's state.* functions, read once: which SLS names,
 * test mode, the pillar override, saltenv and exclude.
 */

/** Salt's `mods`: `web,db` or a list; empty for none. */
export function modsArg(mods: unknown): string[] {
  if (mods === null || mods === undefined || mods === '') return [];
  const parts = Array.isArray(mods) ? mods.map((m) => pyStr(m)) : pyStr(mods).split(',');
  return parts.map((m) => m.trim()).filter((m) => m !== '');
}

/** Salt's _get_test_value: `test=` when given, else the minion's `test` option. */
export function testArg(test: unknown, optsTest: boolean): boolean {
  if (test === null || test === undefined) return optsTest;
  return pyTruthy(test);
}

/** Salt's check: `pillar=` must be a dict. */
export function pillarOverrideArg(pillar: unknown): Record<string, unknown> | undefined {
  if (pillar === null || pillar === undefined) return undefined;
  if (!isRecord(pillar))
    throw new SaltInvocationError('Pillar data must be formatted as a dictionary, unless pillar_enc is specified.');
  return pillar;
}

/** Salt's `exclude`: a list, or a comma-separated string of SLS names. */
export function excludeArg(exclude: unknown): unknown[] {
  if (exclude === null || exclude === undefined || exclude === '') return [];
  if (Array.isArray(exclude)) return exclude;
  return pyStr(exclude)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `saltenv=` of the call, else the minion's `saltenv` option; null means every environment. */
export function saltenvArg(saltenv: unknown, optsSaltenv: string | null): string | null {
  if (typeof saltenv === 'string' && saltenv !== '') return saltenv;
  return optsSaltenv;
}

// What the compiler and runner keep in a chunk for themselves (Salt's `__id__`, `order`, `names`...),
// besides the runner's STATE_INTERNAL_KEYWORDS.
const COMPILER_KEYS = new Set(['__id__', '__sls__', '__env__', 'order', 'names', '__prereq__']);

function steering(key: string): boolean {
  return STATE_INTERNAL_KEYWORDS.has(key) || COMPILER_KEYS.has(key) || /^(use|use_in|.*_any_in)$/.test(key);
}

/**
 * The kwargs a state function gets from its chunk: the parameters it
 * declares (Salt's format_call drops the rest), or, when it takes
 * `**kwargs`, every argument that is not the runner's.
 */
export function chunkKwargs(chunk: LowChunk, spec: PluginFunction<object, object>): Record<string, unknown> {
  const declared = new Set((spec.params ?? []).map((p) => (typeof p === 'string' ? p : p.name)));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(chunk)) {
    if (declared.has(k)) out[k] = v;
    else if (spec.varkw === true && !steering(k)) out[k] = v;
  }
  return out;
}

/** The declared parameters without a default that the chunk does not give (Salt's verify_data). */
export function missingParams(chunk: LowChunk, spec: PluginFunction<object, object>): string[] {
  return (spec.params ?? []).filter((p): p is string => typeof p === 'string' && !(p in chunk));
}
