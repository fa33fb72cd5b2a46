import type { FileServer } from '@tsalt/fileserver';
import type { MasterConfig } from '@tsalt/config';
import type { FileRequest } from '@tsalt/transport';

/** Salt's defaults for the `_master_opts` keys tsalt's config does not carry yet. */
const MASTER_OPTS_DEFAULTS: Record<string, unknown> = {
  top_file_merging_strategy: 'merge',
  env_order: [],
  default_top: 'base',
  state_top_saltenv: null,
  state_auto_order: true,
  state_events: false,
  state_aggregate: false,
  jinja_env: {},
  jinja_sls_env: {},
  jinja_lstrip_blocks: false,
  jinja_trim_blocks: false,
};

/**
 * Salt's AESFuncs file client requests (the `roots` backend), each answered
 * in Salt's shape: lists, `{hsum, hash_type}` or '', `{data, dest}`,
 * `{path, rel, stat, back}`. A request missing its saltenv or path gets
 * Salt's empty answer, never an error.
 */
export async function serveFileRequest(req: FileRequest, fs: FileServer, opts: MasterConfig): Promise<unknown> {
  const senv = req.saltenv;
  switch (req.cmd) {
    case '_file_list':
      return senv === undefined ? [] : fs.fileList(senv, req.prefix);
    case '_file_list_emptydirs':
      return senv === undefined ? [] : fs.emptyDirs(senv, req.prefix);
    case '_dir_list':
      return senv === undefined ? [] : fs.dirList(senv, req.prefix);
    case '_symlink_list':
      return senv === undefined ? {} : fs.symlinkList(senv, req.prefix);
    case '_file_envs':
      return fs.envs();
    case '_file_hash':
      if (senv === undefined || req.path === undefined) return '';
      return fs.fileHash(req.path, senv);
    case '_file_hash_and_stat': {
      if (senv === undefined || req.path === undefined) return ['', null];
      const fnd = await fs.find(req.path, senv);
      return fnd ? [await fs.fileHash(req.path, senv), fnd.stat] : ['', null];
    }
    case '_file_find': {
      if (!req.path) return { path: '', rel: '' };
      return (await fs.find(req.path, senv ?? 'base')) ?? { path: '', rel: '' };
    }
    case '_serve_file':
      if (senv === undefined || req.path === undefined || req.loc === undefined) return { data: '', dest: '' };
      return fs.serveFile(req.path, senv, req.loc, req.gzip);
    case '_master_opts':
      return masterOpts(fs, opts, req.envOnly);
    case '_ext_nodes':
    case '_master_tops':
      // Salt's external node classifiers (master_tops, the deprecated external_nodes): none configured,
      // so a salt-minion's highstate gets the top file alone.
      return {};
    default:
      return false;
  }
}

/** Salt's `_master_opts`: the subset of the master's opts a minion's state system reads. */
function masterOpts(fs: FileServer, opts: MasterConfig, envOnly: boolean): Record<string, unknown> {
  const o = opts as unknown as Record<string, unknown>;
  const pick = (k: string): unknown => (k in o ? o[k] : MASTER_OPTS_DEFAULTS[k]);
  // Salt sends each saltenv with an empty list: the minion must not read the master's paths.
  const fileRoots = Object.fromEntries(fs.envs().map((e) => [e, []]));
  const out: Record<string, unknown> = { file_roots: fileRoots };
  for (const k of ['top_file_merging_strategy', 'env_order', 'default_top']) out[k] = pick(k);
  if (envOnly) return out;
  for (const k of [
    'renderer',
    'failhard',
    'state_top',
    'state_top_saltenv',
    'nodegroups',
    'state_auto_order',
    'state_events',
    'state_aggregate',
    'jinja_env',
    'jinja_sls_env',
    'jinja_lstrip_blocks',
    'jinja_trim_blocks',
  ])
    out[k] = pick(k);
  return out;
}
