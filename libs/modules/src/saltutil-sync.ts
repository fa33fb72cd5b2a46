import fs from 'node:fs';
import path from 'node:path';
import type { MinionConfig } from '@tsalt/config';
import type { Param, PluginFunction } from '@tsalt/loader';
import type { ModuleServices } from './context.js';

/*
 * saltutil.sync_* and friends. tsalt has no custom modules (`salt://_modules`
 * and the like) yet, so every sync finds nothing to sync and returns Salt's
 * empty shapes: `[]` for one kind, a dict of empty lists for sync_all.
 */

type Fn = PluginFunction<MinionConfig, ModuleServices>;

/** The kinds sync_all reports, in Salt 3006's order. */
const SYNC_ALL_KINDS = [
  'clouds',
  'beacons',
  'modules',
  'states',
  'sdb',
  'grains',
  'renderers',
  'returners',
  'output',
  'utils',
  'log_handlers',
  'executors',
  'proxymodules',
  'engines',
  'thorium',
  'serializers',
  'matchers',
  'pillar',
] as const;

/** sync_<kind> function names with Salt's `refresh` default (false for the kinds that need no reload). */
const SYNC_FUNCTIONS: Record<string, boolean | null> = {
  beacons: true,
  sdb: null,
  modules: true,
  states: true,
  grains: true,
  renderers: true,
  returners: true,
  proxymodules: false,
  matchers: false,
  engines: false,
  thorium: false,
  output: true,
  clouds: true,
  utils: true,
  serializers: true,
  log_handlers: true,
  pillar: true,
  executors: true,
};

function syncParams(refresh: boolean | null, pillarCache = false): Param[] {
  const p: Param[] = [{ name: 'saltenv', default: null }];
  if (refresh !== null) p.push({ name: 'refresh', default: refresh });
  p.push({ name: 'extmod_whitelist', default: null }, { name: 'extmod_blacklist', default: null });
  if (pillarCache) p.push({ name: 'clean_pillar_cache', default: false });
  return p;
}

const syncOne: Record<string, Fn> = Object.fromEntries(
  Object.entries(SYNC_FUNCTIONS).map(([kind, refresh]) => [
    `sync_${kind}`,
    {
      doc: `Sync ${kind} from \`\`salt://_${kind}\`\` to the minion. Returns the list of\nsynced ${kind}: tsalt has no custom ${kind} yet, so there is nothing to sync.\n\nCLI Example:\n\n    salt '*' saltutil.sync_${kind}\n    salt '*' saltutil.sync_${kind} saltenv=dev`,
      params: syncParams(refresh, kind === 'grains' || kind === 'pillar'),
      fn: (): string[] => [],
    } satisfies Fn,
  ]),
);

/** What clear_cache leaves: running jobs' proc files and returner spools (data not yet stored). */
const KEEP = new Set(['proc', 'spool']);

/** The saltutil functions about custom modules and caches. */
export const syncFunctions: Record<string, Fn> = {
  ...syncOne,
  sync_all: {
    doc: "Sync down all of the dynamic modules from the file server for a specific\nenvironment. Returns a dict of the synced names per kind: tsalt has no\ncustom modules yet, so every list is empty.\n\nCLI Example:\n\n    salt '*' saltutil.sync_all\n    salt '*' saltutil.sync_all saltenv=dev",
    params: syncParams(true, true),
    fn: () => Object.fromEntries(SYNC_ALL_KINDS.map((k) => [k, []])),
  },
  refresh_modules: {
    doc: "Signal the minion to refresh the module and grain data. tsalt loads its\nmodules at start-up, so this only returns True.\n\nCLI Example:\n\n    salt '*' saltutil.refresh_modules",
    varkw: true,
    fn: () => true,
  },
  list_extmods: {
    doc: "List Salt modules which have been synced externally\n\nCLI Example:\n\n    salt '*' saltutil.list_extmods",
    fn: (ctx) => {
      const dir = path.join(ctx.opts.cachedir, 'extmods');
      const out: Record<string, string[]> = {};
      let kinds: string[];
      try {
        kinds = fs.readdirSync(dir);
      } catch {
        return out; // Salt raises here; no extmods dir means nothing was synced.
      }
      for (const kind of kinds) {
        const names = new Set<string>();
        const files = fs.readdirSync(path.join(dir, kind), { recursive: true, withFileTypes: true });
        for (const f of files) if (f.isFile()) names.add(f.name.split('.')[0] ?? f.name);
        out[kind] = [...names];
      }
      return out;
    },
  },
  clear_cache: {
    doc: "Forcibly removes all caches on a minion. tsalt keeps two folders of\nits cachedir: proc (running jobs stay visible to saltutil.running and\nkillable) and spool (returns still waiting for their returner's database).\n\nCLI Example:\n\n    salt '*' saltutil.clear_cache",
    fn: (ctx) => {
      const root = ctx.opts.cachedir;
      const walk = (dir: string): boolean => {
        let entries: fs.Dirent[];
        try {
          entries = fs.readdirSync(dir, { withFileTypes: true });
        } catch {
          return true; // no cache yet
        }
        for (const e of entries) {
          const p = path.join(dir, e.name);
          if (dir === root && KEEP.has(e.name)) continue;
          if (e.isDirectory()) {
            if (!walk(p)) return false;
            continue;
          }
          try {
            fs.rmSync(p, { force: true });
          } catch (err) {
            ctx.log.error(`Attempt to clear cache with saltutil.clear_cache FAILED with: ${(err as Error).message}`);
            return false;
          }
        }
        return true;
      };
      return walk(root);
    },
  },
};
