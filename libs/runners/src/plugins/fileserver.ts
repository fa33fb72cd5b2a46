import type { MasterConfig } from '@tsalt/config';
import { definePlugin } from '@tsalt/loader';
import type { RunnerServices } from '../context.js';
import { fileServerOf } from '../fileserver-service.js';

/* fileserver.*: what the master's file server serves (salt/runners/fileserver.py), roots backend only. */

const SALTENV = [
  { name: 'saltenv', default: 'base' },
  { name: 'backend', default: null },
];

const listDoc = (what: string, fun: string): string => `Return a list of ${what} from the file server.

saltenv : base
    The salt fileserver environment to be listed

backend
    Only roots is served by tsalt; any other name lists nothing.

CLI Example:

    tsalt-run fileserver.${fun}
    tsalt-run fileserver.${fun} saltenv=prod`;

/** Only the roots backend exists: another backend name lists nothing, as Salt lists a backend it lacks. */
function rootsWanted(backend: unknown): boolean {
  if (backend === null || backend === undefined || backend === '') return true;
  const names = (Array.isArray(backend) ? backend : typeof backend === 'string' ? backend.split(',') : []).map((n) =>
    typeof n === 'string' ? n : '',
  );
  return names.some((n) => n.trim().replace(/^-/, '') === 'roots' && !n.trim().startsWith('-'));
}

export default definePlugin<MasterConfig, RunnerServices>({
  name: 'fileserver',
  doc: 'Directly manage the Salt fileserver plugins',
  functions: {
    envs: {
      doc: `Return the available fileserver environments.

CLI Example:

    tsalt-run fileserver.envs`,
      params: [
        { name: 'backend', default: null },
        { name: 'sources', default: false },
      ],
      fn: (ctx, a) => {
        const envs = rootsWanted(a['backend']) ? fileServerOf(ctx.services).envs() : [];
        return a['sources'] === true ? { roots: envs } : envs;
      },
    },
    file_list: {
      doc: listDoc('the files', 'file_list'),
      params: SALTENV,
      fn: async (ctx, a) =>
        rootsWanted(a['backend']) ? fileServerOf(ctx.services).fileList(String(a['saltenv'])) : [],
    },
    dir_list: {
      doc: listDoc('the directories', 'dir_list'),
      params: SALTENV,
      fn: async (ctx, a) => (rootsWanted(a['backend']) ? fileServerOf(ctx.services).dirList(String(a['saltenv'])) : []),
    },
    empty_dir_list: {
      doc: listDoc('the empty directories', 'empty_dir_list'),
      params: SALTENV,
      fn: async (ctx, a) =>
        rootsWanted(a['backend']) ? fileServerOf(ctx.services).emptyDirs(String(a['saltenv'])) : [],
    },
  },
});
