import path from 'node:path';
import type { MinionConfig } from '@tsalt/config';
import { errorLine, isRecord, pyStr } from '@tsalt/core';
import { grainsFilePath, readGrainsFile, writeGrainsFile } from '@tsalt/grains';
import { definePlugin } from '@tsalt/loader';
import type { ModuleContext, ModuleServices } from '../context.js';
import { DEFAULT_DELIMITER, deepCopy, filterBy, FilterByError, itemLookup, traverse } from '../data-path.js';

/*
 * Salt's grains module. Reads ctx.grains; the writers edit the grains file
 * (`<config_dir>/grains`), update this call's grains in place, and ask the
 * daemon (services.minionData) to recompute them everywhere, as Salt's
 * setvals calls saltutil.refresh_grains.
 */

const SANITIZERS: Record<string, (v: unknown) => unknown> = {
  serialnumber: (v) => {
    const s = pyStr(v);
    const keep = Math.floor(s.length / 5);
    return s.slice(0, keep) + 'X'.repeat(s.length - keep);
  },
  domain: () => 'DOMAINNAME',
  fqdn: () => 'MINION.DOMAINNAME',
  id: () => 'MINION.DOMAINNAME',
  host: () => 'MINION',
  localhost: () => 'MINION',
  nodename: () => 'MINION',
};

function truthy(v: unknown): boolean {
  return v === true || v === 1 || (typeof v === 'string' && ['true', 'yes', 'on', '1'].includes(v.toLowerCase()));
}

function sanitize(g: Record<string, unknown>): Record<string, unknown> {
  for (const [k, f] of Object.entries(SANITIZERS)) if (k in g) g[k] = f(g[k]);
  return g;
}

/** The grains file: Salt's dirname of conf_file (tsalt keeps it as config_dir). */
function grainsFile(ctx: ModuleContext): string {
  const dir = ctx.opts.config_dir || (ctx.opts.conf_file ? path.dirname(ctx.opts.conf_file) : '');
  return grainsFilePath(dir);
}

/**
 * This call's grains, to update in place as Salt's setvals updates
 * __grains__ (the registry hands every call the same object).
 */
function liveGrains(ctx: ModuleContext): Record<string, unknown> {
  const g: Record<string, unknown> = ctx.grains;
  return g;
}

/** Salt's setvals: the file gets the new values (None with destructive removes), then the minion refreshes. */
async function setvals(
  ctx: ModuleContext,
  values: unknown,
  destructive: unknown,
  refreshPillar: unknown,
): Promise<unknown> {
  if (!isRecord(values)) {
    ctx.context['retcode'] = 1;
    return 'setvals grains must be a dictionary.';
  }
  const file = grainsFile(ctx);
  let stored: Record<string, unknown>;
  try {
    stored = readGrainsFile(file);
  } catch (err) {
    ctx.context['retcode'] = 1;
    return `Unable to read existing grains file: ${errorLine(err)}`;
  }
  const live = liveGrains(ctx);
  for (const [k, v] of Object.entries(values)) {
    if (v === null && truthy(destructive)) {
      delete stored[k];
      delete live[k];
    } else {
      stored[k] = v;
      live[k] = v;
    }
  }
  try {
    writeGrainsFile(file, stored);
  } catch (err) {
    ctx.log.error(`Unable to write to grains file at ${file}. Check permissions. ${errorLine(err)}`);
  }
  const data = ctx.services.minionData;
  if (data && ctx.opts.local !== true) await data.refreshGrains(refreshPillar !== false);
  return values;
}

/** Salt's grains.set: a nested key, conservative about replacing lists and dicts unless `force`. */
async function setNested(
  ctx: ModuleContext,
  key: string,
  val: unknown,
  force: boolean,
  destructive: boolean,
  delimiter: string,
): Promise<Record<string, unknown>> {
  const ret: Record<string, unknown> = { comment: '', changes: {}, result: true };
  const missing = Symbol('missing');
  const complex = (v: unknown): boolean => isRecord(v) || Array.isArray(v);
  const existing = traverse(ctx.grains, key, missing, delimiter);
  if (existing !== missing && JSON.stringify(existing) === JSON.stringify(val) && (val !== null || !destructive)) {
    ret['comment'] = 'Grain is already set';
    return ret;
  }
  if (existing !== missing && existing !== null && !force) {
    if (complex(existing)) {
      return {
        ...ret,
        result: false,
        comment: `The key '${key}' exists but is a dict or a list. Use 'force=True' to overwrite.`,
      };
    }
    if (complex(val)) {
      return {
        ...ret,
        result: false,
        comment: `The key '${key}' exists and the given value is a dict or a list. Use 'force=True' to overwrite.`,
      };
    }
  }
  let top = key;
  let value: unknown = val;
  while (top.includes(delimiter)) {
    const at = top.lastIndexOf(delimiter);
    const rest = top.slice(at + delimiter.length);
    top = top.slice(0, at);
    const parent = deepCopy(traverse(ctx.grains, top, {}, delimiter));
    if (isRecord(parent)) {
      if (value === null && destructive) delete parent[rest];
      else parent[rest] = value;
      value = parent;
    } else if (parent === rest || force) {
      value = { [rest]: value };
    } else {
      return {
        ...ret,
        result: false,
        comment: `The key '${top}' value is '${pyStr(parent)}', which is different from the provided key '${rest}'. Use 'force=True' to overwrite.`,
      };
    }
  }
  const r = await setvals(ctx, { [top]: value }, destructive, true);
  if (isRecord(r)) ret['changes'] = r;
  else {
    ret['comment'] = r;
    ret['result'] = false;
  }
  return ret;
}

const GET_DOC =
  "Attempt to retrieve the named value from grains, if the named value is not\navailable return the passed default. The default return is an empty string.\n\nThe value can also represent a value in a nested dict using a \":\" delimiter\nfor the dict (``pkg:apache``); ``delimiter`` names another one.\n\nCLI Example:\n\n    salt '*' grains.get pkg:apache\n    salt '*' grains.get abc::def|ghi delimiter='|'";

const getFn = {
  doc: GET_DOC,
  params: [
    'key',
    { name: 'default', default: '' },
    { name: 'delimiter', default: DEFAULT_DELIMITER },
    { name: 'ordered', default: true },
  ],
  fn: (ctx: ModuleContext, a: Record<string, unknown>) =>
    traverse(ctx.grains, pyStr(a['key']), a['default'], pyStr(a['delimiter'])),
};

export default definePlugin<MinionConfig, ModuleServices>({
  name: 'grains',
  doc: 'Return/control aspects of the grains data',
  functions: {
    items: {
      doc: "Return all of the minion's grains\n\nCLI Example:\n\n    salt '*' grains.items\n\nSanitized CLI Example:\n\n    salt '*' grains.items sanitize=True",
      params: [{ name: 'sanitize', default: false }],
      fn: (ctx, a) => (truthy(a['sanitize']) ? sanitize(deepCopy({ ...ctx.grains })) : { ...ctx.grains }),
    },
    get: getFn,
    fetch: { ...getFn, doc: GET_DOC.replace(/grains\.get/g, 'grains.fetch') },
    item: {
      doc: "Return one or more grains\n\nCLI Example:\n\n    salt '*' grains.item os\n    salt '*' grains.item os osrelease oscodename\n\nSanitized CLI Example:\n\n    salt '*' grains.item host sanitize=True",
      varargs: true,
      varkw: true,
      fn: (ctx, a) => {
        const ret = itemLookup(ctx.grains, a);
        const kw = (a['__kwargs__'] ?? {}) as Record<string, unknown>;
        return truthy(kw['sanitize']) ? sanitize(ret) : ret;
      },
    },
    ls: {
      doc: "Return a list of all available grains\n\nCLI Example:\n\n    salt '*' grains.ls",
      fn: (ctx) => Object.keys(ctx.grains).sort(),
    },
    has_value: {
      doc: "Determine whether a key exists in the grains dictionary (``pkg:apache``\nfor a nested key).\n\nCLI Example:\n\n    salt '*' grains.has_value pkg:apache",
      params: ['key'],
      fn: (ctx, a) => {
        const missing = Symbol('missing');
        return traverse(ctx.grains, pyStr(a['key']), missing) !== missing;
      },
    },
    setvals: {
      doc: "Set new grains values in the grains config file\n\ndestructive\n    If an operation results in a key being removed, delete the key, too.\n    Defaults to False.\n\nrefresh_pillar\n    Whether pillar will be refreshed.\n    Defaults to True.\n\nCLI Example:\n\n    salt '*' grains.setvals \"{'key1': 'val1', 'key2': 'val2'}\"",
      params: ['grains', { name: 'destructive', default: false }, { name: 'refresh_pillar', default: true }],
      fn: (ctx, a) => setvals(ctx, a['grains'], a['destructive'], a['refresh_pillar']),
    },
    setval: {
      doc: "Set a grains value in the grains config file\n\nkey\n    The grain key to be set.\n\nval\n    The value to set the grain key to.\n\ndestructive\n    If an operation results in a key being removed, delete the key, too.\n    Defaults to False.\n\nrefresh_pillar\n    Whether pillar will be refreshed.\n    Defaults to True.\n\nCLI Example:\n\n    salt '*' grains.setval key val\n    salt '*' grains.setval key \"{'sub-key': 'val', 'sub-key2': 'val2'}\"",
      params: ['key', 'val', { name: 'destructive', default: false }, { name: 'refresh_pillar', default: true }],
      fn: (ctx, a) => setvals(ctx, { [pyStr(a['key'])]: a['val'] }, a['destructive'], a['refresh_pillar']),
    },
    append: {
      doc: "Append a value to a list in the grains config file. If the grain doesn't\nexist, the grain key is added and the value is appended to the new grain\nas a list item.\n\nkey\n    The grain key to be appended to\n\nval\n    The value to append to the grain key\n\nconvert\n    If convert is True, convert non-list contents into a list.\n    If convert is False and the grain contains non-list contents, an error\n    is given. Defaults to False.\n\ndelimiter\n    The key can be a nested dict key.\n\nCLI Example:\n\n    salt '*' grains.append key val",
      params: ['key', 'val', { name: 'convert', default: false }, { name: 'delimiter', default: DEFAULT_DELIMITER }],
      fn: async (ctx, a) => {
        const key = pyStr(a['key']);
        const delim = pyStr(a['delimiter']);
        const val = a['val'];
        let list = deepCopy(traverse(ctx.grains, key, [], delim));
        if (truthy(a['convert']) && !Array.isArray(list)) list = list === null ? [] : [list];
        if (!Array.isArray(list)) return `The key ${key} is not a valid list`;
        if (list.some((x) => JSON.stringify(x) === JSON.stringify(val)))
          return `The val ${pyStr(val)} was already in the list ${key}`;
        if (Array.isArray(val)) list.push(...(val as unknown[]));
        else list.push(val);
        let top = key;
        let value: unknown = list;
        while (top.includes(delim)) {
          const at = top.lastIndexOf(delim);
          const rest = top.slice(at + delim.length);
          top = top.slice(0, at);
          const parent = deepCopy(traverse(ctx.grains, top, {}, delim));
          if (isRecord(parent)) parent[rest] = value;
          value = parent;
        }
        return setvals(ctx, { [top]: value }, false, true);
      },
    },
    set: {
      doc: "Set a key to an arbitrary value. It is used like setval but works\nwith nested keys.\n\nThis function is conservative. It will only overwrite an entry if\nits value and the given one are not a list or a dict. The ``force``\nparameter is used to allow overwriting in all cases.\n\nCLI Example:\n\n    salt '*' grains.set 'apps:myApp:port' 2209\n    salt '*' grains.set 'apps:myApp' '{port: 2209}'",
      params: [
        'key',
        { name: 'val', default: '' },
        { name: 'force', default: false },
        { name: 'destructive', default: false },
        { name: 'delimiter', default: DEFAULT_DELIMITER },
      ],
      fn: (ctx, a) =>
        setNested(ctx, pyStr(a['key']), a['val'], truthy(a['force']), truthy(a['destructive']), pyStr(a['delimiter'])),
    },
    delval: {
      doc: "Delete a grain value from the grains config file. This will just set the\ngrain value to ``None``. To completely remove the grain, run ``grains.delkey``\nor pass ``destructive=True`` to ``grains.delval``.\n\nkey\n    The grain key from which to delete the value.\n\ndestructive\n    Delete the key, too. Defaults to False.\n\nforce\n    Force remove the grain even when it is a mapped value.\n    Defaults to False\n\nCLI Example:\n\n    salt '*' grains.delval key",
      params: ['key', { name: 'destructive', default: false }, { name: 'force', default: false }],
      fn: (ctx, a) =>
        setNested(ctx, pyStr(a['key']), null, truthy(a['force']), truthy(a['destructive']), DEFAULT_DELIMITER),
    },
    delkey: {
      doc: "Remove a grain completely from the grain system, this will remove the\ngrain key and value\n\nkey\n    The grain key from which to delete the value.\n\nforce\n    Force remove the grain even when it is a mapped value.\n    Defaults to False\n\nCLI Example:\n\n    salt '*' grains.delkey key",
      params: ['key', { name: 'force', default: false }],
      fn: (ctx, a) => setNested(ctx, pyStr(a['key']), null, truthy(a['force']), true, DEFAULT_DELIMITER),
    },
    filter_by: {
      doc: "Look up the given grain in a given dictionary for the current OS and return\nthe result\n\nlookup_dict\n    A dictionary, keyed by a grain value (globs allowed).\n\ngrain : ``os_family``\n    The name of a grain to match with the current system's grains.\n\nmerge\n    A dictionary to merge with the results of the grain selection from\n    ``lookup_dict``.\n\ndefault : ``default``\n    The key in ``lookup_dict`` used when the grain's value matches none.\n\nbase\n    A lookup_dict key to use as the base dictionary.\n\nCLI Example:\n\n    salt '*' grains.filter_by '{Debian: Debheads rule, RedHat: I love my hat}'\n    salt '*' grains.filter_by '{Debian: Debheads rule, RedHat: I love my hat}' 'os_family' '{Debian: Debheads rule}'",
      params: [
        'lookup_dict',
        { name: 'grain', default: 'os_family' },
        { name: 'merge', default: null },
        { name: 'default', default: 'default' },
        { name: 'base', default: null },
      ],
      fn: (ctx, a) => {
        const lookup = a['lookup_dict'];
        try {
          if (!isRecord(lookup)) throw new FilterByError('filter_by lookup_dict must be a dictionary.');
          const base = typeof a['base'] === 'string' ? a['base'] : undefined;
          return filterBy(lookup, pyStr(a['grain']), ctx.grains, a['merge'], pyStr(a['default']), base);
        } catch (err) {
          if (!(err instanceof FilterByError)) throw err;
          ctx.context['retcode'] = 1;
          return err.message;
        }
      },
    },
  },
});
