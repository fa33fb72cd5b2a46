import type { StatePlugin } from '../types.js';
import file from './file.js';

/** Every state module, for a `kind: 'state'` Registry. */
export function statePlugins(): StatePlugin[] {
  return [file];
}
