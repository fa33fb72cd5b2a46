import fs from 'node:fs';
import path from 'node:path';
import type { StateContext } from '../types.js';
import { isTrue } from './state-ret.js';

/*
 * Salt refreshes the package database once per state run, before the first
 * install that needs one: pkg's mod_init leaves a flag file (the "rtag",
 * `<cachedir>/pkg_refresh`) when a run has pkg.installed or pkg.latest, a
 * state with `refresh` unset refreshes while it is there, and the refresh
 * removes it (Salt's pkg.refresh_db does; here the state does, since the
 * pkg module does not know the file).
 */

const RTAG = 'pkg_refresh';

function rtag(ctx: StateContext): string {
  return path.join(ctx.opts.cachedir, RTAG);
}

/** Salt's `write_rtag`: a failure is a warning, as in Salt (the run goes on without the refresh). */
export function writeRtag(ctx: StateContext): void {
  try {
    fs.mkdirSync(ctx.opts.cachedir, { recursive: true });
    fs.writeFileSync(rtag(ctx), '', { flag: 'a' });
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message }, 'Encountered error writing rtag');
  }
}

/** Salt's `clear_rtag`, after a refresh. */
export function clearRtag(ctx: StateContext): void {
  try {
    fs.rmSync(rtag(ctx), { force: true });
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message }, 'Encountered error removing rtag');
  }
}

/** Salt's pkg.mod_init: a run with pkg.installed or pkg.latest refreshes once. */
export function modInit(ctx: StateContext, fun: unknown): boolean {
  if (fun !== 'installed' && fun !== 'latest') return false;
  writeRtag(ctx);
  return true;
}

/**
 * The runner does not call mod_init (yet): the first pkg.installed or
 * pkg.latest of a run (no such result among the ones so far) stands in
 * for it. Outside a run (no run info) nothing is written.
 */
export function modInitOnce(ctx: StateContext, fun: 'installed' | 'latest'): void {
  const run = ctx.services.run;
  if (!run) return;
  const earlier = Object.keys(run.running).some((tag) => /^pkg_\|-.*_\|-(installed|latest)$/.test(tag));
  if (!earlier) modInit(ctx, fun);
}

/** Salt's `check_refresh`: refresh when asked, or when the rtag is there and the state did not say `refresh: False`. */
export function checkRefresh(ctx: StateContext, refresh: unknown): boolean {
  if (isTrue(refresh)) return true;
  return refresh !== false && fs.existsSync(rtag(ctx));
}
