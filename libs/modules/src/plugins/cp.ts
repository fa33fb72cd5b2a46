import fs from 'node:fs';
import path from 'node:path';
import type { MinionConfig } from '@tsalt/config';
import { pyStr } from '@tsalt/core';
import { definePlugin, pyTruthy } from '@tsalt/loader';
import type { FileClientService, ModuleContext, ModuleServices } from '../context.js';
import { ModuleError } from '../errors.js';
import { hashLocalFile } from '../fileclient/client.js';

/** The injected file client, or a clear refusal (a call with no master link and no file_client: local). */
function client(ctx: ModuleContext): FileClientService {
  const c = ctx.services.fileClient;
  if (!c)
    throw new ModuleError(
      'NO_FILE_CLIENT',
      'This minion has no file client (no master link, and file_client is not local)',
    );
  return c;
}

/** Salt's cp functions default to the minion's `saltenv`, then `base`. */
function env(ctx: ModuleContext, v: unknown): string {
  if (v !== null && v !== undefined && v !== '') return pyStr(v);
  const own = (ctx.opts as { saltenv?: unknown }).saltenv;
  return typeof own === 'string' && own !== '' ? own : 'base';
}

/** The sls names in a file list: `a/b.sls` is `a.b`, `a/init.sls` is `a`. */
function slsNames(files: string[]): string[] {
  const out = new Set<string>();
  for (const f of files) {
    if (!f.endsWith('.sls')) continue;
    const stem = f.endsWith('/init.sls') ? f.slice(0, -'/init.sls'.length) : f.slice(0, -'.sls'.length);
    out.add(stem.replace(/\//g, '.'));
  }
  return [...out].sort();
}

const SALTENV = { name: 'saltenv', default: null };

/** Salt's `cp` execution module: files from the master's file server (salt://) onto the minion. */
export default definePlugin<MinionConfig, ModuleServices>({
  name: 'cp',
  doc: 'Minion side functions for salt-cp',
  functions: {
    get_file: {
      doc: "Used to get a single file from the salt master\n\nCLI Example:\n\n    salt '*' cp.get_file salt://path/to/file /minion/dest",
      params: [
        'path',
        'dest',
        SALTENV,
        { name: 'makedirs', default: false },
        { name: 'template', default: null },
        { name: 'gzip', default: null },
      ],
      varkw: true,
      fn: async (ctx, a) => {
        const c = client(ctx);
        const saltenv = env(ctx, a['saltenv']);
        const source = pyStr(a['path']);
        if (!(await c.hashFile(source, saltenv))) return '';
        return c.getFile(source, pyStr(a['dest']), saltenv, pyTruthy(a['makedirs']));
      },
    },
    get_file_str: {
      doc: "Download a file from a URL to the Minion cache directory and return the contents of that file\n\nCLI Example:\n\n    salt '*' cp.get_file_str salt://my/file",
      params: ['path', SALTENV],
      fn: async (ctx, a) => {
        const got = await client(ctx).cacheFile(pyStr(a['path']), env(ctx, a['saltenv']));
        return got === null ? false : fs.readFileSync(got, 'utf8');
      },
    },
    cache_file: {
      doc: "Used to cache a single file on the Minion\n\nReturns the location of the new cached file on the Minion.\n\nCLI Example:\n\n    salt '*' cp.cache_file salt://path/to/file",
      params: [
        'path',
        SALTENV,
        { name: 'source_hash', default: null },
        { name: 'verify_ssl', default: true },
        { name: 'use_etag', default: false },
      ],
      fn: async (ctx, a) => {
        const saltenv = env(ctx, a['saltenv']);
        const source = pyStr(a['path']);
        const got = await client(ctx).cacheFile(source, saltenv);
        if (got === null) {
          ctx.log.error(`Unable to cache file '${source}' from saltenv '${saltenv}'.`);
          return false;
        }
        return got;
      },
    },
    cache_dir: {
      doc: "Download and cache everything under a directory from the master\n\nCLI Example:\n\n    salt '*' cp.cache_dir salt://path/to/dir",
      params: [
        'path',
        SALTENV,
        { name: 'include_empty', default: false },
        { name: 'include_pat', default: null },
        { name: 'exclude_pat', default: null },
      ],
      fn: (ctx, a) =>
        client(ctx).getDir(pyStr(a['path']), env(ctx, a['saltenv']), undefined, pyTruthy(a['include_empty'])),
    },
    get_dir: {
      doc: "Used to recursively copy a directory from the salt master\n\nCLI Example:\n\n    salt '*' cp.get_dir salt://path/to/dir/ /minion/dest",
      params: ['path', 'dest', SALTENV, { name: 'template', default: null }, { name: 'gzip', default: null }],
      varkw: true,
      fn: (ctx, a) => client(ctx).getDir(pyStr(a['path']), env(ctx, a['saltenv']), path.resolve(pyStr(a['dest']))),
    },
    list_master: {
      doc: "List all of the files stored on the master\n\nCLI Example:\n\n    salt '*' cp.list_master",
      params: [SALTENV, { name: 'prefix', default: '' }],
      fn: (ctx, a) => client(ctx).list('_file_list', env(ctx, a['saltenv']), pyStr(a['prefix'] ?? '')),
    },
    list_master_dirs: {
      doc: "List all of the directories stored on the master\n\nCLI Example:\n\n    salt '*' cp.list_master_dirs",
      params: [SALTENV, { name: 'prefix', default: '' }],
      fn: (ctx, a) => client(ctx).list('_dir_list', env(ctx, a['saltenv']), pyStr(a['prefix'] ?? '')),
    },
    list_states: {
      doc: "List all of the available state files in an environment\n\nCLI Example:\n\n    salt '*' cp.list_states",
      params: [SALTENV],
      fn: async (ctx, a) => slsNames(await client(ctx).list('_file_list', env(ctx, a['saltenv']))),
    },
    list_minion: {
      doc: "List all of the files cached on the minion\n\nCLI Example:\n\n    salt '*' cp.list_minion",
      params: [SALTENV],
      fn: (ctx, a) => client(ctx).listCached(env(ctx, a['saltenv'])),
    },
    is_cached: {
      doc: "Returns the full path to a file if it is cached locally on the minion otherwise returns a blank string\n\nCLI Example:\n\n    salt '*' cp.is_cached salt://path/to/file",
      params: ['path', SALTENV],
      fn: (ctx, a) => client(ctx).isCached(pyStr(a['path']), env(ctx, a['saltenv'])),
    },
    stat_file: {
      doc: "Return the permissions of a file, to get the permissions of a file on the salt master file server prepend the path with salt://<file on server> otherwise, prepend the file with / for a local file.\n\nCLI Example:\n\n    salt '*' cp.stat_file salt://path/to/file",
      params: ['path', SALTENV, { name: 'octal', default: true }],
      fn: async (ctx, a) => {
        const p = pyStr(a['path']);
        let mode: number | undefined;
        if (p.startsWith('salt://')) mode = await client(ctx).statMode(p, env(ctx, a['saltenv']));
        else if (fs.existsSync(p)) mode = fs.statSync(p).mode;
        if (mode === undefined) return null;
        // Salt's st_mode_to_octal: the last four octal digits of st_mode.
        return pyTruthy(a['octal']) ? mode.toString(8).slice(-4).padStart(4, '0') : mode;
      },
    },
    hash_file: {
      doc: "Return the hash of a file, to get the hash of a file on the salt master file server prepend the path with salt://<file on server> otherwise, prepend the file with / for a local file.\n\nCLI Example:\n\n    salt '*' cp.hash_file salt://path/to/file",
      params: ['path', SALTENV],
      fn: async (ctx, a) => {
        const p = pyStr(a['path']);
        if (!p.startsWith('salt://')) {
          // A local file: hashed here with the minion's hash_type, as Salt does.
          const hashType = pyStr((ctx.opts as { hash_type?: unknown }).hash_type ?? 'sha256');
          const hsum = hashLocalFile(p, hashType);
          return hsum === undefined ? {} : { hsum, hash_type: hashType };
        }
        return (await client(ctx).hashFile(p, env(ctx, a['saltenv']))) ?? '';
      },
    },
  },
});
