import fs from 'node:fs';
import os from 'node:os';
import { readProcStat, type ProcStat } from '@tsalt/core';

/*
 * Process trees from /proc (Linux). Killing a job must kill what it started:
 * a `cmd.run` shell and its children. Those run in process groups of their
 * own (cmd.* spawns detached), so a group kill of the job process alone would
 * miss them; we walk the ppid links instead, and signal each group that a
 * member of the tree leads, which also reaches children a shell left behind.
 */

/** Every process visible in /proc; empty where there is no /proc. */
export function readProcessTable(): ProcStat[] {
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    const s = readProcStat(Number(n));
    if (s) out.push(s);
  }
  return out;
}

/** Descendants of `pid` by ppid links, parents before children. */
export function descendantPids(pid: number, table: readonly ProcStat[] = readProcessTable()): number[] {
  const children = new Map<number, number[]>();
  for (const p of table) {
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const out: number[] = [];
  const queue = [pid];
  const seen = new Set<number>([pid]);
  for (let i = 0; i < queue.length; i++) {
    for (const c of children.get(queue[i]!) ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function send(target: number, signal: NodeJS.Signals | number): boolean {
  try {
    process.kill(target, signal);
    return true;
  } catch {
    return false; // gone already, or not ours
  }
}

/** What `signalProcessTree` reached. */
export interface TreeSignalResult {
  /** Descendant pids that were signalled. */
  descendants: number[];
  /** Process groups that were signalled (as positive ids). */
  groups: number[];
}

/**
 * Sends `signal` to `pid`, then to every process group led by a member of
 * its tree, then to each descendant. The root goes first so a job process
 * cannot see its command die and report that as a result; the tree is read
 * before any signal, so children re-parented meanwhile are still reached.
 *
 * Never signals this process or its own process group (a tree may contain
 * us: a kill issued from inside a job). Throws the root's kill error
 * (ESRCH: no such process, EPERM) without touching the tree.
 */
export function signalProcessTree(pid: number, signal: NodeJS.Signals | number): TreeSignalResult {
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) {
    throw Object.assign(new Error(`refusing to signal pid ${pid}`), { code: 'EPERM' });
  }
  const table = readProcessTable();
  const byPid = new Map(table.map((p) => [p.pid, p]));
  const own = byPid.get(process.pid)?.pgrp ?? readProcStat(process.pid)?.pgrp;
  const tree = descendantPids(pid, table).filter((p) => p !== process.pid);
  const leaders = [pid, ...tree].filter((p) => byPid.get(p)?.pgrp === p && p !== own);
  process.kill(pid, signal);
  const groups = leaders.filter((g) => send(-g, signal));
  const descendants = tree.filter((p) => send(p, signal));
  return { descendants, groups };
}

/** A signal name or number (`9`, `'9'`, `'KILL'`, `'SIGKILL'`) as a number, or undefined if unknown. */
export function signalNumber(sig: unknown): number | undefined {
  const table = os.constants.signals as Record<string, number | undefined>;
  if (typeof sig === 'number') return Number.isInteger(sig) && sig >= 0 && sig < 65 ? sig : undefined;
  if (typeof sig !== 'string') return undefined;
  const s = sig.trim();
  if (/^\d+$/.test(s)) return signalNumber(Number(s));
  const name = s.toUpperCase();
  return table[name.startsWith('SIG') ? name : `SIG${name}`];
}
