import type { LowChunk } from '../types.js';
import type { RunRet } from './requisites.js';
import type { RunOptions } from './runner.js';

/*
 * Salt's State.check_refresh: after a state, reload what it may have
 * changed. `reload_grains` / `reload_pillar` always reload (and then the
 * modules, when the state changed something); `reload_modules`, or a
 * package manager state with changes, reloads the modules (a new binary
 * can make a module's virtual() say yes); `force_reload_modules` reloads
 * them even without changes. Salt's reload after `file.managed` of a
 * `.py`/`.so` file (or any `file.recurse`) does not apply: tsalt's modules are not loaded from the
 * file tree.
 */

const PACKAGE_STATES = new Set(['pkg', 'ports', 'pip']);

export async function checkRefresh(o: RunOptions, low: LowChunk, ret: RunRet): Promise<void> {
  const refresh = o.refresh;
  if (refresh === undefined) return;
  let modules = false;
  if (low.reload_grains === true) {
    await refresh('grains');
    modules = true;
  }
  if (low.reload_pillar === true) {
    await refresh('pillar');
    modules = true;
  }
  const changed = ret.changes !== null && typeof ret.changes === 'object' && Object.keys(ret.changes).length > 0;
  if (!changed) {
    if (low.force_reload_modules === true) await refresh('modules');
    return;
  }
  if (low.reload_modules === true || modules || PACKAGE_STATES.has(low.state)) {
    await refresh('modules');
  }
}
