import type { StatePlugin } from '../types.js';

/** Every state module, for a `kind: 'state'` Registry. */
export function statePlugins(): StatePlugin[] {
  return [];
}
