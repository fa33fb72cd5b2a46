import type { StatePlugin } from '../types.js';
import cmd from './cmd.js';
import file from './file.js';
import group from './group.js';
import pkg from './pkg.js';
import service from './service.js';
import test from './test.js';
import user from './user.js';

/** Every state module, for a `kind: 'state'` Registry. */
export function statePlugins(): StatePlugin[] {
  return [cmd, file, group, pkg, service, test, user];
}
