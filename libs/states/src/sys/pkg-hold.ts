import { pyStr } from '@tsalt/core';
import type { StateContext, StateReturn } from '../types.js';
import { errText, isModuleFailure, isTest, salt } from './state-ret.js';

/*
 * pkg.installed's `hold: True/False`: dpkg's hold selection set (or
 * cleared) through pkg.hold / pkg.unhold once the packages are there.
 */

/** One package's pkg.hold answer. */
export interface HoldRet {
  name: string;
  changes: { old?: unknown; new?: unknown };
  result: boolean | null;
  comment: string;
}

/**
 * pkg.hold / pkg.unhold for `names`. In test mode the module cannot be
 * asked (it reads the minion's `test` option, not this run's), so the
 * answer is worked out from dpkg's selections with the module's texts.
 */
export async function holdCall(ctx: StateContext, hold: boolean, names: string[]): Promise<Record<string, HoldRet>> {
  if (!isTest(ctx))
    return (await salt(ctx, hold ? 'pkg.hold' : 'pkg.unhold', [], { pkgs: names })) as Record<string, HoldRet>;
  const ret: Record<string, HoldRet> = {};
  for (const n of names) {
    const sel = (await salt(ctx, 'pkg.get_selections', [n])) as Record<string, string[]>;
    const known = Object.values(sel).some((l) => l.includes(n));
    const held = (sel['hold'] ?? []).includes(n);
    const r: HoldRet = { name: n, changes: {}, result: false, comment: '' };
    if (!known) r.comment = hold ? `Package ${n} not currently held.` : `Package ${n} does not have a state.`;
    else if (hold === held) {
      r.result = true;
      r.comment = `Package ${n} is already set ${hold ? 'to be held' : 'not to be held'}.`;
    } else {
      r.result = null;
      r.comment = `Package ${n} is set ${hold ? 'to be held' : 'not to be held'}.`;
    }
    ret[n] = r;
  }
  return ret;
}

/** The answers by outcome: changed, already so, failed. */
export interface HoldSplit {
  modified: HoldRet[];
  unchanged: HoldRet[];
  failed: HoldRet[];
}

function split(holdRet: Record<string, HoldRet>): HoldSplit {
  const all = Object.values(holdRet);
  const changed = (h: HoldRet): boolean => Object.keys(h.changes).length > 0;
  return {
    modified: all.filter(changed),
    unchanged: all.filter((h) => !changed(h) && h.result),
    failed: all.filter((h) => !h.result),
  };
}

/**
 * Nothing to install: the hold answers are added to the ret
 * (`<comment>.\n<hold comment>`), the last one's result kept, as Salt's.
 */
export async function holdOnly(
  ctx: StateContext,
  ret: StateReturn,
  hold: boolean,
  names: string[],
): Promise<StateReturn> {
  let holdRet: Record<string, HoldRet>;
  try {
    holdRet = await holdCall(ctx, hold, names);
  } catch (err) {
    if (!isModuleFailure(err)) throw err;
    return { name: ret.name, changes: {}, result: false, comment: errText(err) };
  }
  const { modified, unchanged, failed } = split(holdRet);
  for (const h of [...modified, ...unchanged, ...failed]) {
    ret.comment = `${pyStr(ret.comment)}.\n${h.comment}`;
    ret.result = h.result;
    if (modified.includes(h)) ret.changes[h.name] = h.changes;
  }
  return ret;
}

/** After an install: pkg.hold's answers sorted, or the module's error text. */
export async function holdAfterInstall(ctx: StateContext, hold: boolean, names: string[]): Promise<HoldSplit | string> {
  try {
    return split(await holdCall(ctx, hold, names));
  } catch (err) {
    if (!isModuleFailure(err)) throw err;
    return errText(err);
  }
}

/** A changed hold folded into the install's `{old, new}` (a newline between), its comment added. */
export function foldHold(modified: HoldRet[], changes: Record<string, unknown>, comment: string[]): void {
  for (const h of modified) {
    comment.push(h.comment);
    const cur = changes[h.name] as { old?: string; new?: string } | undefined;
    if (cur) {
      cur.new = `${cur.new ? `${cur.new}\n` : ''}${pyStr(h.changes.new)}`;
      cur.old = `${cur.old ? `${cur.old}\n` : ''}${pyStr(h.changes.old)}`;
    } else changes[h.name] = { new: pyStr(h.changes.new) };
  }
}
