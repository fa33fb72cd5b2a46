import type { MinionConfig } from '@tsalt/config';
import { definePlugin } from '@tsalt/loader';
import type { ModuleServices } from '../context.js';
import { basicFunctions } from '../file/basic.js';
import { blockFunctions } from '../file/blockreplace.js';
import { findFunctions } from '../file/find.js';
import { lineFunctions } from '../file/line.js';
import { managedFunctions } from '../file/managed-functions.js';
import { metaFunctions } from '../file/meta.js';
import { ownerFunctions } from '../file/owners.js';
import { replaceFunctions } from '../file/replace.js';
import { textFunctions } from '../file/text.js';

/**
 * Salt's `file` execution module: reading, writing and editing files on the
 * minion. The functions live in ../file/*.ts by theme; this is the one
 * plugin that registers them. POSIX only, as Salt's (win_file is separate).
 */
export default definePlugin<MinionConfig, ModuleServices>({
  name: 'file',
  doc: 'Manage information about regular files, directories, and special files on the minion, set/read user, group, mode, and data',
  virtual: () =>
    process.platform === 'win32' ? 'The file execution module cannot be loaded: only available on POSIX systems' : true,
  functions: {
    ...basicFunctions,
    ...metaFunctions,
    ...textFunctions,
    ...replaceFunctions,
    ...lineFunctions,
    ...blockFunctions,
    ...findFunctions,
    ...managedFunctions,
    ...ownerFunctions,
  },
});
