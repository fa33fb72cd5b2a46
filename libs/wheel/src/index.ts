/**
 * @tsalt/wheel: Salt's wheel modules, master-side functions that manage the
 * master itself. `key` is the same code as `tsalt-key` (KeyOps).
 *
 *   const wheel = new Registry({ kind: 'wheel', opts, log, services: { keys: keyStore } }, wheelPlugins());
 *   const { data } = await runWheel(wheel, 'wheel.key.accept', { match: 'web*' }, { fire, user: 'Reactor' });
 *   // fires salt/wheel/<jid>/new, salt/key per key, salt/wheel/<jid>/ret; data.return == {minions: ['web1']}
 */
import key from './plugins/key.js';

export {
  KeyOps,
  KEY_STATUSES,
  keyOpsFrom,
  splitMatch,
  checkMatchDict,
  type WheelContext,
  type WheelPlugin,
  type WheelServices,
} from './key-ops.js';
import type { WheelPlugin } from './key-ops.js';
export type { KeyOpsOptions, KeyAction, KeyActionFlags, KeyMatch, KeyMatches, KeyStatus, FireFn } from './key-ops.js';
export { runWheel, type RunWheelOptions, type WheelResult, type WheelEventData } from './run-wheel.js';
export { WheelError } from './errors.js';

/** Every wheel module shipped here, as a static list. */
export function wheelPlugins(): WheelPlugin[] {
  return [key];
}
