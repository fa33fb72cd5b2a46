import type { MinionConfig } from '@tsalt/config';
import { isRecord, pyStr } from '@tsalt/core';
import { definePlugin } from '@tsalt/loader';
import type { ModuleContext, ModuleServices } from '../context.js';
import {
  DEFAULT_DELIMITER,
  deepCopy,
  dictUpdate,
  filterBy,
  FilterByError,
  itemLookup,
  traverse,
} from '../data-path.js';

/*
 * Salt's pillar module. `items` and `ls` ask the master for a fresh pillar
 * (services.minionData), as Salt's do; the rest read the pillar in memory
 * (ctx.pillar), which the minion installs at start and on refresh_pillar.
 */

/** A lookup failure Salt raises as KeyError/ValueError: one line, retcode 1. */
class PillarLookupError extends Error {}

async function fresh(ctx: ModuleContext, override?: unknown): Promise<Record<string, unknown>> {
  const data = ctx.services.minionData;
  const got = data ? await data.fetchPillar(isRecord(override) ? override : undefined) : undefined;
  if (got) return got;
  if (data) ctx.log.warn('pillar.items: the master did not answer; showing the pillar in memory');
  return { ...ctx.pillar };
}

function guarded(ctx: ModuleContext, body: () => unknown): unknown {
  try {
    return body();
  } catch (err) {
    if (!(err instanceof PillarLookupError) && !(err instanceof FilterByError)) throw err;
    ctx.context['retcode'] = 1;
    return err.message;
  }
}

/** Salt's pillar.get, merge included: a dict default merges under the value, a list default gains its new items. */
function get(ctx: ModuleContext, a: Record<string, unknown>): unknown {
  const key = pyStr(a['key']);
  const delim = pyStr(a['delimiter']);
  let dflt = a['default'];
  // pillar_merge_lists is a master key in Salt that minions read too; not (yet) in the minion schema.
  const opts = ctx.opts as unknown as Record<string, unknown>;
  const mergeLists = a['merge_nested_lists'] ?? opts['pillar_merge_lists'] ?? false;
  if (a['merge'] === true) {
    if (isRecord(dflt)) {
      const v = traverse(ctx.pillar, key, {}, delim);
      if (isRecord(v)) return dictUpdate(deepCopy(dflt), deepCopy(v), mergeLists === true);
      ctx.log.error(`pillar.get: Default is a dict, but the returned pillar value is not. Merge will be skipped.`);
    } else if (Array.isArray(dflt)) {
      const v = traverse(ctx.pillar, key, [], delim);
      if (Array.isArray(v)) {
        const out = deepCopy(dflt);
        for (const x of v) if (!out.some((y) => JSON.stringify(y) === JSON.stringify(x))) out.push(x);
        return out;
      }
      ctx.log.error(`pillar.get: Default is a list, but the returned pillar value is not. Merge will be skipped.`);
    } else {
      ctx.log.error('pillar.get: Default must be a dict or list to merge. Merge will be skipped.');
    }
  }
  if (dflt === undefined) dflt = '';
  return traverse(ctx.pillar, key, dflt, delim);
}

const GET_DOC =
  'Attempt to retrieve the named value from the in-memory pillar data; if the\nnamed value is not available return the passed default. The default return\nis an empty string.\n\nThe value can also represent a value in a nested dict using a ":" delimiter\nfor the dict (``pkg:apache``).\n\nmerge\n    Merge a dict or list default with the pillar value.\n\ndelimiter\n    Specify an alternate delimiter to use when traversing a nested dict.\n\nCLI Example:\n\n    salt \'*\' pillar.get pkg:apache';

const getFn = {
  doc: GET_DOC,
  params: [
    'key',
    { name: 'default', default: '' },
    { name: 'merge', default: false },
    { name: 'merge_nested_lists', default: null },
    { name: 'delimiter', default: DEFAULT_DELIMITER },
    { name: 'pillarenv', default: null },
    { name: 'saltenv', default: null },
  ],
  fn: (ctx: ModuleContext, a: Record<string, unknown>) => get(ctx, a),
};

const itemsFn = {
  doc: "Calls the master for a fresh pillar and generates the pillar data on the\nfly. Contrast with ``pillar.raw`` which returns the pillar data that is\ncurrently loaded into the minion.\n\npillar\n    A dictionary of pillar data that overrides the compiled pillar.\n\nCLI Example:\n\n    salt '*' pillar.items",
  varargs: true,
  varkw: true,
  fn: (ctx: ModuleContext, a: Record<string, unknown>) =>
    fresh(ctx, ((a['__kwargs__'] ?? {}) as Record<string, unknown>)['pillar']),
};

export default definePlugin<MinionConfig, ModuleServices>({
  name: 'pillar',
  doc: 'Extract the pillar data for this minion',
  functions: {
    items: itemsFn,
    data: { ...itemsFn, doc: itemsFn.doc.replace('pillar.items', 'pillar.data') },
    get: getFn,
    fetch: { ...getFn, doc: GET_DOC.replace('pillar.get', 'pillar.fetch') },
    item: {
      doc: "Return one or more pillar entries from the in-memory pillar data.\n\ndelimiter\n    Delimiter used to traverse nested dictionaries.\n\nCLI Examples:\n\n    salt '*' pillar.item foo\n    salt '*' pillar.item foo:bar\n    salt '*' pillar.item foo bar baz",
      varargs: true,
      varkw: true,
      fn: (ctx, a) => itemLookup(ctx.pillar, a),
    },
    raw: {
      doc: "Return the raw pillar data that is currently loaded into the minion.\nWith the optional key argument, you can select a subtree of the pillar\nraw data.\n\nCLI Example:\n\n    salt '*' pillar.raw\n    salt '*' pillar.raw key='roles'",
      params: [{ name: 'key', default: null }],
      fn: (ctx, a) => {
        const key = a['key'];
        if (key !== null && key !== undefined && key !== '') return ctx.pillar[pyStr(key)] ?? {};
        return { ...ctx.pillar };
      },
    },
    ls: {
      doc: "Calls the master for a fresh pillar, generates the pillar data on the\nfly (same as ``pillar.items``), but only shows the available main keys.\n\nCLI Example:\n\n    salt '*' pillar.ls",
      varargs: true,
      fn: async (ctx) => Object.keys(await fresh(ctx)),
    },
    keys: {
      doc: 'Attempt to retrieve a list of keys from the named value from the pillar.\n\nThe value can also represent a value in a nested dict using a ":" delimiter\nfor the dict.\n\nCLI Example:\n\n    salt \'*\' pillar.keys web:sites',
      params: ['key', { name: 'delimiter', default: DEFAULT_DELIMITER }],
      fn: (ctx, a) =>
        guarded(ctx, () => {
          const key = pyStr(a['key']);
          const missing = Symbol('missing');
          const v = traverse(ctx.pillar, key, missing, pyStr(a['delimiter']));
          if (v === missing) throw new PillarLookupError(`Pillar key not found: ${key}`);
          if (!isRecord(v)) throw new PillarLookupError(`Pillar value in key ${key} is not a dict`);
          return Object.keys(v);
        }),
    },
    filter_by: {
      doc: "Return the first match in a dictionary of target patterns, looked up\nby the value of the ``pillar`` key.\n\nCLI Example:\n\n    salt '*' pillar.filter_by '{web: Serve it up, db: I query, default: x_x}' role",
      params: [
        'lookup_dict',
        'pillar',
        { name: 'merge', default: null },
        { name: 'default', default: 'default' },
        { name: 'base', default: null },
      ],
      fn: (ctx, a) =>
        guarded(ctx, () => {
          const lookup = a['lookup_dict'];
          if (!isRecord(lookup)) throw new FilterByError('filter_by lookup_dict must be a dictionary.');
          const base = typeof a['base'] === 'string' ? a['base'] : undefined;
          return filterBy(lookup, pyStr(a['pillar']), ctx.pillar, a['merge'], pyStr(a['default']), base);
        }),
    },
  },
});
