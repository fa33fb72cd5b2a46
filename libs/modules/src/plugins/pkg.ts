import fs from 'node:fs';
import type { MinionConfig } from '@tsalt/config';
import { fnmatch, pyStr } from '@tsalt/core';
import { CommandExecutionError, definePlugin, SaltInvocationError, type BoundArgs } from '@tsalt/loader';
import type { ModuleContext, ModuleServices } from '../context.js';
import { aptInstall, aptUninstall, aptUpgrade, parseTargets } from '../apt-change.js';
import { compareDebianVersions, parseDpkgSearch, parseJustPrint } from '../apt-parse.js';
import {
  getSelections,
  infoInstalled,
  isTrue,
  latestVersions,
  listPkgs,
  refreshDb,
  setSelection,
  stringify,
} from '../apt-query.js';
import { runApt, runHost } from '../host-command.js';
import { which } from '../which.js';

/** The caller's own kwargs: without the `__pub_*` publish data (Salt's clean_kwargs). */
function kwargsOf(a: BoundArgs): Record<string, unknown> {
  const kw = (a['__kwargs__'] ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(kw).filter(([k]) => !k.startsWith('__')));
}

function namesOf(a: BoundArgs): string[] {
  return ((a['__args__'] ?? []) as unknown[]).map(String);
}

/** One name answers a string, several a dict: pkg.version's and pkg.owner's rule. */
function oneOrMany<T>(ret: Record<string, T>, many: boolean): T | Record<string, T> {
  const values = Object.values(ret);
  return !many && values.length === 1 ? (values[0] as T) : ret;
}

function osRelease(): Record<string, string> {
  try {
    const out: Record<string, string> = {};
    for (const m of fs.readFileSync('/etc/os-release', 'utf8').matchAll(/^(\w+)=("?)(.*)\2$/gm))
      out[m[1] ?? ''] = m[3] ?? '';
    return out;
  } catch {
    return {};
  }
}

/**
 * aptpkg's `__virtual__`: a Debian-family host. The os_family grain decides
 * when it says Debian; otherwise /etc/os-release's ID and ID_LIKE do, and the
 * apt and dpkg tools must be there either way.
 */
function debianFamily(grains: Readonly<Record<string, unknown>>): true | string {
  const rel = osRelease();
  const ids = `${rel['ID'] ?? ''} ${rel['ID_LIKE'] ?? ''}`.split(/\s+/);
  const debian = grains['os_family'] === 'Debian' || ids.includes('debian') || ids.includes('ubuntu');
  const tools = ['apt-get', 'apt-cache', 'dpkg', 'dpkg-query'].filter((t) => !which(t, process.env['PATH']));
  if (!debian && (Object.keys(rel).length > 0 || tools.length > 0))
    return 'The pkg module could not be loaded: unsupported OS family';
  if (tools.length > 0) return `The pkg module could not be loaded: ${tools.join(', ')} not found on PATH`;
  return true;
}

async function hold(ctx: ModuleContext, a: BoundArgs, to: 'hold' | 'install'): Promise<unknown> {
  const { name, pkgs, sources } = a;
  if (!name && !pkgs && !sources) throw new SaltInvocationError('One of name, pkgs, or sources must be specified.');
  if (pkgs && sources) throw new SaltInvocationError('Only one of pkgs or sources can be specified.');
  const list = (pkgs ?? sources ?? [name]) as unknown[];
  if (!Array.isArray(list)) throw new SaltInvocationError('pkgs and sources must be lists');
  const ret: Record<string, { name: string; changes: unknown; result: boolean | null; comment: string }> = {};
  for (const item of list) {
    const target = typeof item === 'object' && item !== null ? (Object.keys(item)[0] ?? '') : String(item);
    const r: (typeof ret)[string] = { name: target, changes: {}, result: false, comment: '' };
    ret[target] = r;
    const sel = await getSelections(ctx, target);
    const isHeld = (sel['hold'] ?? []).includes(target);
    const known = Object.values(sel).some((names) => names.includes(target));
    if (to === 'hold' && !known) r.comment = `Package ${target} not currently held.`;
    else if (to === 'install' && !known) r.comment = `Package ${target} does not have a state.`;
    else if ((to === 'hold') === isHeld) {
      r.result = true;
      r.comment = `Package ${target} is already set ${to === 'hold' ? 'to be held' : 'not to be held'}.`;
    } else if (ctx.opts.test) {
      r.result = null;
      r.comment = `Package ${target} is set ${to === 'hold' ? 'to be held' : 'not to be held'}.`;
    } else {
      const oldState = Object.entries(sel).find(([, names]) => names.includes(target))?.[0] ?? null;
      if (await setSelection(ctx, target, to)) {
        r.changes = { old: oldState, new: to };
        r.result = true;
        r.comment =
          to === 'hold' ? `Package ${target} is now being held.` : `Package ${target} is no longer being held.`;
      }
    }
  }
  return ret;
}

const TARGET_PARAMS = [
  { name: 'name', default: null },
  { name: 'pkgs', default: null },
] as const;

/** Salt's aptpkg, which becomes `pkg` on Debian-family hosts. */
export default definePlugin<MinionConfig, ModuleServices>({
  name: 'pkg',
  doc: 'Support for APT (Advanced Packaging Tool)',
  virtual: (ctx) => debianFamily(ctx.grains),
  functions: {
    list_pkgs: {
      doc: "List the packages currently installed in a dict::\n\n    {'<package_name>': '<version>'}\n\nremoved\n    If ``True``, then only packages which have been removed (but not\n    purged) will be returned.\n\npurge_desired\n    If ``True``, then only packages which have been marked to be purged,\n    but can't be purged due to their status as dependencies for other\n    installed packages, will be returned.\n\nCLI Example:\n\n    salt '*' pkg.list_pkgs\n    salt '*' pkg.list_pkgs versions_as_list=True",
      params: [
        { name: 'versions_as_list', default: false },
        { name: 'removed', default: false },
        { name: 'purge_desired', default: false },
      ],
      varkw: true,
      fn: async (ctx, a) => {
        const ret = await listPkgs(ctx, {
          removed: isTrue(a['removed']),
          purgeDesired: isTrue(a['purge_desired']),
          useContext: kwargsOf(a)['use_context'] !== false,
        });
        return isTrue(a['versions_as_list']) ? ret : stringify(ret);
      },
    },
    version: {
      doc: "Returns a string representing the package version or an empty string if not\ninstalled. If more than one package name is specified, a dict of\nname/version pairs is returned.\n\nCLI Example:\n\n    salt '*' pkg.version <package name>\n    salt '*' pkg.version <package1> <package2> <package3> ...",
      varargs: true,
      varkw: true,
      fn: async (ctx, a) => {
        const names = namesOf(a);
        const asList = isTrue(kwargsOf(a)['versions_as_list']);
        if (names.length === 0) return {};
        const pkgs = await listPkgs(ctx);
        const ret: Record<string, string[]> = {};
        let glob = false;
        for (const n of names) {
          if (n.includes('*')) {
            glob = true;
            for (const m of Object.keys(pkgs).filter((p) => fnmatch(p, n))) ret[m] = pkgs[m] ?? [];
          } else ret[n] = pkgs[n] ?? [];
        }
        return asList ? oneOrMany(ret, glob) : oneOrMany(stringify(ret), glob);
      },
    },
    latest_version: {
      doc: "Return the latest version of the named package available for upgrade or\ninstallation. If more than one package name is specified, a dict of\nname/version pairs is returned.\n\nIf the latest version of a given package is already installed, an empty\nstring will be returned for that package.\n\nA specific repo can be requested using the ``fromrepo`` keyword argument.\n\ncache_valid_time\n    Skip refreshing the package database if refresh has already occurred within\n    <value> seconds\n\nCLI Example:\n\n    salt '*' pkg.latest_version <package name>\n    salt '*' pkg.latest_version <package name> fromrepo=unstable\n    salt '*' pkg.latest_version <package1> <package2> <package3> ...",
      varargs: true,
      varkw: true,
      fn: async (ctx, a) => latest(ctx, a),
    },
    available_version: {
      doc: "This function is an alias of ``latest_version``.\n\nReturn the latest version of the named package available for upgrade or\ninstallation.\n\nCLI Example:\n\n    salt '*' pkg.available_version <package name>",
      varargs: true,
      varkw: true,
      fn: async (ctx, a) => latest(ctx, a),
    },
    upgrade_available: {
      doc: "Check whether or not an upgrade is available for a given package\n\nCLI Example:\n\n    salt '*' pkg.upgrade_available <package name>",
      params: ['name'],
      varkw: true,
      fn: async (ctx, a) => (await latest(ctx, { __args__: [a['name']], __kwargs__: a['__kwargs__'] })) !== '',
    },
    refresh_db: {
      doc: "Updates the APT database to latest packages based upon repositories\n\nReturns a dict, with the keys being package databases and the values being\nthe result of the update attempt. Values can be one of the following:\n\n- ``True``: Database updated successfully\n- ``False``: Problem updating database\n- ``None``: Database already up-to-date\n\ncache_valid_time\n    Skip refreshing the package database if refresh has already occurred within\n    <value> seconds\n\nfailhard\n    If False, return results of Err lines as ``False`` for the package database that\n    encountered the error.\n    If True, raise an error with a list of the package databases that encountered\n    errors.\n\nCLI Example:\n\n    salt '*' pkg.refresh_db",
      params: [
        { name: 'cache_valid_time', default: 0 },
        { name: 'failhard', default: false },
      ],
      varkw: true,
      fn: (ctx, a) => refreshDb(ctx, Number(a['cache_valid_time']) || 0, isTrue(a['failhard'])),
    },
    install: {
      doc: "Install the passed package, add refresh=True to update the dpkg database.\n\nname\n    The name of the package to be installed. Note that this parameter is\n    ignored if either \"pkgs\" or \"sources\" is passed.\n\n        salt '*' pkg.install <package name>\n\nrefresh\n    Whether or not to refresh the package database before installing.\n\nfromrepo\n    Specify a package repository to install from (e.g., ``apt-get -t unstable install somepackage``)\n\nskip_verify\n    Skip the GPG verification check (e.g., ``--allow-unauthenticated``)\n\nversion\n    Install a specific version of the package, e.g. 1.2.3~0ubuntu0. Ignored\n    if \"pkgs\" or \"sources\" is passed. ``>=``, ``<=``, ``>`` and ``<`` pick the\n    newest matching version apt offers.\n\nreinstall : False\n    Specifying reinstall=True will use ``apt-get install --reinstall``\n\npkgs\n    A list of packages to install from a software repository. Must be\n    passed as a python list.\n\n        salt '*' pkg.install pkgs='[\"foo\", \"bar\"]'\n        salt '*' pkg.install pkgs='[\"foo\", {\"bar\": \"1.2.3-0ubuntu0\"}]'\n\nsources\n    A list of DEB packages to install, as absolute paths on the minion.\n\n        salt '*' pkg.install sources='[{\"foo\": \"/tmp/foo.deb\"}]'\n\ninstall_recommends\n    Whether to install the packages marked as recommended. Default is True.\n\nonly_upgrade\n    Only upgrade the packages, if they are already installed. Default is False.\n\nforce_conf_new\n    Always install the new version of any configuration files.\n\ndownloadonly\n    Only download the packages, don't unpack or install them.\n\nReturns a dict containing the new package names and versions::\n\n    {'<package>': {'old': '<old-version>',\n                   'new': '<new-version>'}}",
      params: [
        { name: 'name', default: null },
        { name: 'refresh', default: false },
        { name: 'fromrepo', default: null },
        { name: 'skip_verify', default: false },
        { name: 'debconf', default: null },
        { name: 'pkgs', default: null },
        { name: 'sources', default: null },
        { name: 'reinstall', default: false },
        { name: 'downloadonly', default: false },
        { name: 'ignore_epoch', default: false },
      ],
      varkw: true,
      fn: async (ctx, a) => {
        const kw = kwargsOf(a);
        if (a['debconf']) throw new SaltInvocationError('debconf is not supported by this minion yet');
        const targets = parseTargets(a['name'], a['pkgs'], a['sources'], kw['version']);
        if (!targets) return {};
        const fromrepo = a['fromrepo'] ?? kw['repo'];
        return aptInstall(ctx, {
          targets,
          refresh: isTrue(a['refresh']),
          ...(fromrepo ? { fromrepo: pyStr(fromrepo) } : {}),
          reinstall: isTrue(a['reinstall']),
          downloadonly: isTrue(a['downloadonly']),
          kw: { ...kw, skip_verify: a['skip_verify'] },
        });
      },
    },
    remove: {
      doc: "Remove packages using ``apt-get remove``.\n\nname\n    The name of the package to be deleted.\n\npkgs\n    A list of packages to delete. Must be passed as a python list. The\n    ``name`` parameter will be ignored if this option is passed.\n\nReturns a dict containing the changes.\n\nCLI Example:\n\n    salt '*' pkg.remove <package name>\n    salt '*' pkg.remove <package1>,<package2>,<package3>\n    salt '*' pkg.remove pkgs='[\"foo\", \"bar\"]'",
      params: TARGET_PARAMS,
      varkw: true,
      fn: (ctx, a) => aptUninstall(ctx, 'remove', parseTargets(a['name'], a['pkgs'], undefined)),
    },
    purge: {
      doc: "Remove packages via ``apt-get purge`` along with all configuration files.\n\nname\n    The name of the package to be deleted.\n\npkgs\n    A list of packages to delete. Must be passed as a python list. The\n    ``name`` parameter will be ignored if this option is passed.\n\nReturns a dict containing the changes.\n\nCLI Example:\n\n    salt '*' pkg.purge <package name>\n    salt '*' pkg.purge <package1>,<package2>,<package3>\n    salt '*' pkg.purge pkgs='[\"foo\", \"bar\"]'",
      params: TARGET_PARAMS,
      varkw: true,
      fn: (ctx, a) => aptUninstall(ctx, 'purge', parseTargets(a['name'], a['pkgs'], undefined)),
    },
    upgrade: {
      doc: "Upgrades all packages via ``apt-get upgrade`` or ``apt-get dist-upgrade``\nif  ``dist_upgrade`` is ``True``.\n\nReturns a dictionary containing the changes:\n\n    {'<package>':  {'old': '<old-version>',\n                    'new': '<new-version>'}}\n\ndist_upgrade\n    Whether to perform the upgrade using dist-upgrade vs upgrade.  Default\n    is to use upgrade.\n\nrefresh : True\n    If ``True``, the apt cache will be refreshed first.\n\ndownload_only (or downloadonly)\n    Only download the packages, don't unpack or install them.\n\nforce_conf_new\n    Always install the new version of any configuration files.\n\nallow_downgrades\n    Allow apt to downgrade packages without a prompt.\n\nCLI Example:\n\n    salt '*' pkg.upgrade",
      params: [
        { name: 'refresh', default: true },
        { name: 'dist_upgrade', default: false },
      ],
      varkw: true,
      fn: async (ctx, a) => {
        const kw = kwargsOf(a);
        if (isTrue(a['refresh'])) await refreshDb(ctx, Number(kw['cache_valid_time']) || 0);
        return aptUpgrade(ctx, isTrue(a['dist_upgrade']), kw);
      },
    },
    list_upgrades: {
      doc: "List all available package upgrades.\n\nrefresh\n    Whether to refresh the package database before listing upgrades.\n    Default: True.\n\ncache_valid_time\n    Skip refreshing the package database if refresh has already occurred within\n    <value> seconds\n\ndist_upgrade\n    Whether to list the upgrades using dist-upgrade vs upgrade.  Default is\n    to use dist-upgrade.\n\nCLI Example:\n\n    salt '*' pkg.list_upgrades",
      params: [
        { name: 'refresh', default: true },
        { name: 'dist_upgrade', default: true },
      ],
      varkw: true,
      fn: async (ctx, a) => {
        const kw = kwargsOf(a);
        if (isTrue(a['refresh'])) await refreshDb(ctx, Number(kw['cache_valid_time']) || 0);
        const cmd = ['apt-get', '--just-print', isTrue(a['dist_upgrade']) ? 'dist-upgrade' : 'upgrade'];
        if (kw['fromrepo']) cmd.push('-o', `APT::Default-Release=${pyStr(kw['fromrepo'])}`);
        const r = await runApt(ctx, cmd);
        if (r.retcode !== 0) {
          const why = r.stderr || r.stdout;
          throw new CommandExecutionError(`Failed to get upgrades${why ? `: ${why}` : ''}`);
        }
        return parseJustPrint(r.stdout);
      },
    },
    hold: {
      doc: "Set package in 'hold' state, meaning it will not be upgraded.\n\nname\n    The name of the package, e.g., 'tmux'\n\n        salt '*' pkg.hold <package name>\n\npkgs\n    A list of packages to hold. Must be passed as a python list.\n\n        salt '*' pkg.hold pkgs='[\"foo\", \"bar\"]'",
      params: [...TARGET_PARAMS, { name: 'sources', default: null }],
      varkw: true,
      fn: (ctx, a) => hold(ctx, a, 'hold'),
    },
    unhold: {
      doc: "Set package current in 'hold' state to install state,\nmeaning it will be upgraded.\n\nname\n    The name of the package, e.g., 'tmux'\n\n        salt '*' pkg.unhold <package name>\n\npkgs\n    A list of packages to unhold. Must be passed as a python list.\n\n        salt '*' pkg.unhold pkgs='[\"foo\", \"bar\"]'",
      params: [...TARGET_PARAMS, { name: 'sources', default: null }],
      varkw: true,
      fn: (ctx, a) => hold(ctx, a, 'install'),
    },
    get_selections: {
      doc: "View package state from the dpkg database.\n\nReturns a dict of dicts containing the state, and package names:\n\n    {'<host>':\n        {'<state>': ['pkg1',\n                     ...\n                    ]\n        },\n        ...\n    }\n\nCLI Example:\n\n    salt '*' pkg.get_selections\n    salt '*' pkg.get_selections 'python-*'\n    salt '*' pkg.get_selections state=hold\n    salt '*' pkg.get_selections 'openssh*' state=hold",
      params: [
        { name: 'pattern', default: null },
        { name: 'state', default: null },
      ],
      fn: (ctx, a) =>
        getSelections(ctx, a['pattern'] ? pyStr(a['pattern']) : undefined, a['state'] ? pyStr(a['state']) : undefined),
    },
    info_installed: {
      doc: "Return the information of the named package(s) installed on the system.\n\nnames\n    The names of the packages for which to return information.\n\nfailhard\n    Whether to throw an exception if none of the packages are installed.\n    Defaults to True.\n\nCLI Example:\n\n    salt '*' pkg.info_installed <package1>\n    salt '*' pkg.info_installed <package1> <package2> <package3> ...\n    salt '*' pkg.info_installed <package1> failhard=false",
      varargs: true,
      varkw: true,
      fn: (ctx, a) => {
        const { failhard = true, ...rest } = kwargsOf(a);
        const bad = Object.keys(rest);
        if (bad.length)
          throw new SaltInvocationError(`The following keyword arguments are not valid: ${bad.join(', ')}`);
        return infoInstalled(ctx, namesOf(a), failhard === true || isTrue(failhard));
      },
    },
    file_list: {
      doc: "List the files that belong to a package. Not specifying any packages will\nreturn a list of _every_ file on the system's package database (not\ngenerally recommended).\n\nCLI Examples:\n\n    salt '*' pkg.file_list httpd\n    salt '*' pkg.file_list httpd postfix\n    salt '*' pkg.file_list",
      varargs: true,
      varkw: true,
      fn: async (ctx, a) => {
        const q = await runHost(ctx, [
          'dpkg-query',
          '-f=${db:Status-Status}\t${binary:Package}\n',
          '-W',
          ...namesOf(a),
        ]);
        if (q.retcode !== 0) return `Error:  ${q.stderr}`;
        const files = new Set<string>();
        for (const line of q.stdout.split('\n')) {
          const [status, pkg] = line.split('\t');
          if (status !== 'installed' || !pkg) continue;
          for (const f of (await runHost(ctx, ['dpkg', '-L', pkg])).stdout.split('\n')) if (f) files.add(f);
        }
        return { errors: [], files: [...files].sort() };
      },
    },
    owner: {
      doc: "Return the name of the package that owns the file. Multiple file paths can\nbe passed. Like :mod:`pkg.version <salt.modules.aptpkg.version>`, if a\nsingle path is passed, a string will be returned, and if multiple paths are\npassed, a dictionary of file/package name pairs will be returned.\n\nIf the file is not owned by a package, or is not present on the minion,\nthen an empty string will be returned for that path.\n\nCLI Example:\n\n    salt '*' pkg.owner /usr/bin/apachectl\n    salt '*' pkg.owner /usr/bin/apachectl /usr/bin/basename",
      varargs: true,
      varkw: true,
      fn: async (ctx, a) => {
        const paths = namesOf(a);
        if (paths.length === 0) return '';
        const ret: Record<string, string> = {};
        for (const p of paths) ret[p] = parseDpkgSearch((await runHost(ctx, ['dpkg', '-S', p])).stdout);
        return oneOrMany(ret, false);
      },
    },
    version_cmp: {
      doc: "Do a cmp-style comparison on two packages. Return -1 if pkg1 < pkg2, 0 if\npkg1 == pkg2, and 1 if pkg1 > pkg2. Return None if there was a problem\nmaking the comparison.\n\nignore_epoch : False\n    Set to ``True`` to ignore the epoch when comparing versions\n\nCLI Example:\n\n    salt '*' pkg.version_cmp '0.2.4-0ubuntu1' '0.2.4.1-0ubuntu1'",
      params: ['pkg1', 'pkg2', { name: 'ignore_epoch', default: false }],
      varkw: true,
      fn: (_ctx, a) => {
        const strip = (v: unknown): string => (isTrue(a['ignore_epoch']) ? String(v).replace(/^\d+:/, '') : String(v));
        return Math.sign(compareDebianVersions(strip(a['pkg1']), strip(a['pkg2'])));
      },
    },
  },
});

async function latest(ctx: ModuleContext, a: BoundArgs): Promise<string | Record<string, string>> {
  const kw = kwargsOf(a);
  if ('repo' in kw) throw new SaltInvocationError("The 'repo' argument is invalid, use 'fromrepo' instead");
  const names = namesOf(a);
  if (names.length === 0) return '';
  const ret = await latestVersions(ctx, names, {
    refresh: 'refresh' in kw ? isTrue(kw['refresh']) : true,
    showInstalled: isTrue(kw['show_installed']),
    cacheValidTime: Number(kw['cache_valid_time']) || 0,
    ...(kw['fromrepo'] ? { fromrepo: pyStr(kw['fromrepo']) } : {}),
  });
  return names.length === 1 ? (ret[names[0] ?? ''] ?? '') : ret;
}
