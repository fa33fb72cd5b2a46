import path from 'node:path';

/** Path keys that `root_dir` prefixes, per role (Salt's prepend_root_dirs lists). */
export const ROOT_PATH_KEYS: Readonly<Record<'master' | 'minion', readonly string[]>> = {
  master: [
    'pki_dir',
    'cachedir',
    'sock_dir',
    'pidfile',
    'log_file',
    'key_logfile',
    'autosign_file',
    'autoreject_file',
    'autosign_grains_dir',
  ],
  minion: ['pki_dir', 'cachedir', 'sock_dir', 'pidfile', 'log_file'],
};

/** `udp://host:514`, `file:///dev/log`: log targets that are not paths. */
function isUrl(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
}

/**
 * Salt's prepend_root_dir. `root_dir` is made absolute (against the current
 * directory); when it is not `/`, each path key present in `opts` that is not
 * already under it is moved under it, so a whole master and its minions can
 * run as one user inside a temp folder. Relative paths land under root_dir too,
 * as in Salt. URLs (a log_file like `udp://...`) are left alone. Mutates `opts`.
 */
export function applyRootDir(opts: Record<string, unknown>, keys: readonly string[]): void {
  const rootDir = path.resolve(typeof opts['root_dir'] === 'string' ? opts['root_dir'] : '/');
  opts['root_dir'] = rootDir;
  if (rootDir === path.parse(rootDir).root) return;
  for (const key of keys) {
    const value = opts[key];
    if (typeof value !== 'string' || value === '' || isUrl(value)) continue;
    if (value === rootDir || value.startsWith(rootDir + path.sep)) continue;
    opts[key] = path.join(rootDir, value);
  }
}
