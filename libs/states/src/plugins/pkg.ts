import { isRecord } from '@tsalt/core';
import { CommandExecutionError, definePlugin, type BoundArgs, type Param } from '@tsalt/loader';
import type { MinionConfig } from '@tsalt/config';
import type { StateContext, StateReturn, StateServices } from '../types.js';
import { errText, isModuleFailure, isTest, saltenvOf, salt, stateRet, text } from '../sys/state-ret.js';
import { failedPkgRet } from '../sys/nested.js';
import { fulfillsVersion, installedPkgs, repackPkgs, type Desired } from '../sys/pkg-versions.js';
import { INSTALL_PASS_THROUGH, installed, passThrough } from '../sys/pkg-installed.js';
import { checkRefresh, clearRtag, modInit, modInitOnce } from '../sys/pkg-refresh.js';

/*
 * Salt's `pkg` state: packages installed (at a version, from a repository
 * or local .deb sources), at the latest version, removed or purged, through
 * the minion's pkg module (apt on Debian-family hosts).
 */

async function latest(ctx: StateContext, a: BoundArgs): Promise<StateReturn> {
  const name = text(a['name']);
  modInitOnce(ctx, 'latest');
  const refresh = checkRefresh(ctx, a['refresh']);
  const pkgs = a['pkgs'];
  if (a['sources']) return stateRet(name, false, 'The "sources" parameter is not supported.');
  let wanted: string[];
  if (pkgs) {
    const packed = repackPkgs(pkgs);
    if (!packed || !Object.keys(packed).length)
      return stateRet(name, false, 'Invalidly formatted "pkgs" parameter. See minion log.');
    wanted = Object.keys(packed);
  } else if (Array.isArray(pkgs)) return stateRet(name, true, 'No packages to install provided');
  else wanted = [name];
  const fromrepo = a['fromrepo'] ?? null;
  let avail: unknown;
  try {
    avail = await salt(ctx, 'pkg.latest_version', wanted, { refresh, ...(fromrepo ? { fromrepo } : {}) });
    if (refresh) clearRtag(ctx);
  } catch (err) {
    if (!(err instanceof CommandExecutionError)) throw err;
    return stateRet(
      name,
      false,
      `An error was encountered while checking the newest available version of package(s): ${err.message}`,
    );
  }
  let cur: unknown;
  try {
    cur = await salt(ctx, 'pkg.version', wanted);
  } catch (err) {
    if (!(err instanceof CommandExecutionError)) throw err;
    return stateRet(name, false, errText(err));
  }
  const one = wanted[0] ?? '';
  const curOf = (typeof cur === 'string' ? { [one]: cur } : cur) as Record<string, string>;
  const availOf = (typeof avail === 'string' ? { [one]: avail } : avail) as Record<string, string>;
  const targets: Record<string, string> = {};
  const problems: string[] = [];
  for (const p of wanted) {
    if (availOf[p]) targets[p] = availOf[p];
    // Nothing newer on offer: up to date when installed, unknown otherwise.
    else if (!curOf[p]) {
      const msg = `No information found for '${p}'.`;
      ctx.log.error({ pkg: p }, msg);
      problems.push(msg);
    }
  }
  if (problems.length) return stateRet(name, false, problems.join(' '));
  const names = Object.keys(targets).sort();
  if (!names.length) {
    if (wanted.length > 10) return stateRet(name, true, `All ${wanted.length} packages are up-to-date.`);
    if (wanted.length > 1)
      return stateRet(name, true, `All packages are up-to-date (${[...wanted].sort().join(', ')}).`);
    return stateRet(name, true, `Package ${one} is already up-to-date`);
  }
  const upToDate = pkgs ? wanted.filter((x) => !(x in targets)).sort() : [];
  if (isTest(ctx)) {
    const comments = [`The following packages would be installed/upgraded: ${names.join(', ')}`];
    if (upToDate.length)
      comments.push(
        upToDate.length <= 10
          ? `The following packages are already up-to-date: ${upToDate.map((x) => `${x} (${curOf[x] ?? ''})`).join(', ')}`
          : `${upToDate.length} packages are already up-to-date`,
      );
    // Salt reports no changes here, only the comment.
    return stateRet(name, null, comments.join('\n'));
  }
  let changes: Record<string, { new?: string; old?: string }>;
  try {
    changes = (await salt(ctx, 'pkg.install', [], {
      ...passThrough(a),
      name: null,
      // pkg.latest_version refreshed already when it was due.
      refresh: false,
      fromrepo,
      skip_verify: a['skip_verify'] === true,
      pkgs: names,
      saltenv: saltenvOf(ctx),
    })) as typeof changes;
  } catch (err) {
    if (!(err instanceof CommandExecutionError)) throw err;
    return stateRet(name, false, `An error was encountered while installing package(s): ${err.message}`);
  }
  if (isRecord(changes) && Object.keys(changes).length) {
    const failed = names.filter((x) => {
      const c = changes[x];
      return !c || (c.new !== undefined && c.new !== null && !c.new.split(',').includes(targets[x] ?? ''));
    });
    const ok = names.filter((x) => !failed.includes(x));
    const comments: string[] = [];
    if (failed.length) comments.push(`The following packages failed to update: ${failed.join(', ')}`);
    if (ok.length) comments.push(`The following packages were successfully installed/upgraded: ${ok.join(', ')}`);
    if (upToDate.length)
      comments.push(
        upToDate.length <= 10
          ? `The following packages were already up-to-date: ${upToDate.join(', ')}`
          : `${upToDate.length} packages were already up-to-date `,
      );
    return stateRet(name, !failed.length, comments.join(' '), changes);
  }
  let comment =
    names.length > 10
      ? `${names.length} targeted packages failed to update. See debug log for details.`
      : names.length > 1
        ? `The following targeted packages failed to update. See debug log for details: (${names.join(', ')}).`
        : `Package ${names[0] ?? ''} failed to update.`;
  if (upToDate.length)
    comment +=
      upToDate.length <= 10
        ? ` The following packages were already up-to-date: ${upToDate.join(', ')}`
        : `${upToDate.length} packages were already up-to-date`;
  return stateRet(name, false, comment, isRecord(changes) ? changes : {});
}

/** Salt's `_uninstall`: pkg.removed and pkg.purged. */
async function uninstall(ctx: StateContext, action: 'remove' | 'purge', a: BoundArgs): Promise<StateReturn> {
  const name = text(a['name']);
  const pkgs = a['pkgs'];
  const version = a['version'] === null || a['version'] === undefined ? null : text(a['version']);
  const ignoreEpoch = typeof a['ignore_epoch'] === 'boolean' ? a['ignore_epoch'] : null;
  let params: Desired;
  if (pkgs) {
    const packed = repackPkgs(pkgs);
    if (!packed || !Object.keys(packed).length)
      return stateRet(name, false, 'Invalidly formatted pkgs parameter. See minion log.');
    params = packed;
  } else params = Object.fromEntries(name.split(',').map((n) => [n, null]));
  const toRemove: Desired = pkgs ? params : { [name]: version };
  const cur = await installedPkgs(ctx);
  let targets: string[] = [];
  let versionSpec = false;
  for (const [p, want] of Object.entries(toRemove)) {
    const cver = cur[p] ?? [];
    if (!cver.length) continue;
    if (!want) {
      targets.push(p);
      continue;
    }
    versionSpec = true;
    if (await fulfillsVersion(ctx, cver, want, ignoreEpoch)) targets.push(p);
  }
  if (!targets.length && action === 'remove')
    return stateRet(
      name,
      true,
      `All specified packages${versionSpec ? ' (matching specified versions)' : ''} are already absent`,
    );
  if (action === 'purge') {
    // Removed but not purged: their configuration files are still there.
    const removed = await installedPkgs(ctx, { removed: true });
    targets.push(...Object.keys(params).filter((p) => p in removed));
  }
  targets = [...new Set(targets)].sort();
  if (!targets.length)
    return stateRet(
      name,
      true,
      `None of the targeted packages are installed${action === 'purge' ? ' or partially installed' : ''}`,
    );
  if (isTest(ctx))
    return stateRet(
      name,
      null,
      `The following packages will be ${action}d: ${targets.join(', ')}.`,
      Object.fromEntries(targets.map((x) => [x, { new: `${action}d`, old: '' }])),
    );
  const changes = (await salt(ctx, `pkg.${action}`, [name || null], {
    pkgs: pkgs ?? null,
    version,
    split_arch: false,
    saltenv: saltenvOf(ctx),
  })) as Record<string, unknown>;
  const now = await installedPkgs(ctx);
  const failed = Object.keys(params).filter((p) => p in now);
  if (action === 'purge') {
    const removed = await installedPkgs(ctx, { removed: true });
    failed.push(...Object.keys(params).filter((p) => p in removed));
  }
  failed.sort();
  if (failed.length)
    return stateRet(name, false, `The following packages failed to ${action}: ${failed.join(', ')}.`, changes);
  const notInstalled = Object.keys(params)
    .filter((x) => !targets.includes(x))
    .sort();
  const comment = notInstalled.length
    ? `The following packages were not installed: ${notInstalled.join(', ')} The following packages were ${action}d: ${targets.join(', ')}.`
    : `All targeted packages were ${action}d.`;
  return stateRet(name, true, comment, changes);
}

/** removed/purged: a module failure becomes the ret, its changes kept (Salt's strerror_without_changes). */
async function uninstallState(ctx: StateContext, action: 'remove' | 'purge', a: BoundArgs): Promise<StateReturn> {
  try {
    return await uninstall(ctx, action, a);
  } catch (err) {
    if (!isModuleFailure(err)) throw err;
    const verb = action === 'remove' ? 'removing' : 'purging';
    const otherwise = `An error was encountered while ${verb} package(s)`;
    if (err instanceof CommandExecutionError) return failedPkgRet(text(a['name']), err, otherwise);
    return { name: text(a['name']), result: false, changes: {}, comment: `${otherwise}: ${errText(err)}` };
  }
}

const PASS_PARAMS = INSTALL_PASS_THROUGH.map((n) => ({ name: n, default: undefined }));

const INSTALLED_PARAMS: Param[] = [
  'name',
  { name: 'version', default: null },
  { name: 'refresh', default: null },
  { name: 'fromrepo', default: null },
  { name: 'skip_verify', default: false },
  { name: 'skip_suggestions', default: false },
  { name: 'pkgs', default: null },
  { name: 'sources', default: null },
  { name: 'allow_updates', default: false },
  { name: 'pkg_verify', default: false },
  { name: 'normalize', default: true },
  { name: 'ignore_epoch', default: null },
  { name: 'reinstall', default: false },
  { name: 'update_holds', default: false },
  { name: 'hold', default: undefined },
  ...PASS_PARAMS,
];

const LATEST_PARAMS: Param[] = [
  'name',
  { name: 'refresh', default: null },
  { name: 'fromrepo', default: null },
  { name: 'skip_verify', default: false },
  { name: 'pkgs', default: null },
  { name: 'watch_flags', default: true },
  { name: 'sources', default: null },
  ...PASS_PARAMS,
];

const REMOVE_PARAMS: Param[] = [
  'name',
  { name: 'version', default: null },
  { name: 'pkgs', default: null },
  { name: 'normalize', default: true },
  { name: 'ignore_epoch', default: null },
];

const paramName = (p: Param): string => (typeof p === 'string' ? p : p.name);
/** mod_watch gets the chunk's arguments for whichever function it re-runs: all of them. */
const WATCH_PARAMS: Param[] = [
  ...INSTALLED_PARAMS,
  ...LATEST_PARAMS.filter((p) => !INSTALLED_PARAMS.some((q) => paramName(q) === paramName(p))),
  { name: 'sfun', default: null },
];

const pick = (a: BoundArgs, params: Param[]): BoundArgs =>
  Object.fromEntries(params.map((p) => [paramName(p), a[paramName(p)]]));

export default definePlugin<MinionConfig, StateServices>({
  name: 'pkg',
  doc: 'Installation of packages using OS package managers such as yum or apt-get',
  functions: {
    installed: {
      doc: 'Ensure that the package is installed, and that it is the correct version\n(if specified).\n\nname\n    The name of the package to be installed. This parameter is ignored if\n    either "pkgs" or "sources" is used.\n\nversion\n    Install a specific version of a package (``>=``, ``<=``, ``<``, ``>``\n    and comma-separated conditions are understood).\n\nrefresh\n    This parameter controls whether or not the package repo database is\n    updated prior to installing the requested package(s).\n\nfromrepo\n    Specify a repository from which to install\n\npkgs\n    A list of packages to install from a software repository, each a name\n    or a ``{name: version}``.\n\nsources\n    A list of packages to install, along with the source URI or local path\n    from which to install each package (``[{foo: salt://pkgs/foo.deb}]``).\n\nreinstall : False\n    If set to ``True``, the package(s) will be reinstalled.\n\nallow_updates\n    Allow the package to be updated outside Salt\'s control.\n\nignore_epoch\n    Ignore the epoch when comparing versions.',
      params: INSTALLED_PARAMS,
      fn: installed,
    },
    latest: {
      doc: 'Ensure that the named package is installed and the latest available\npackage. If the package can be updated, this state function will update\nthe package.\n\nname\n    The name of the package to maintain at the latest available version.\n\nrefresh\n    Whether or not to refresh the package database first.\n\nfromrepo\n    Specify a repository from which to install\n\npkgs\n    A list of packages to maintain at the latest available version.',
      params: LATEST_PARAMS,
      fn: latest,
    },
    removed: {
      doc: 'Verify that a package is not installed, calling ``pkg.remove`` if necessary\nto remove the package.\n\nname\n    The name of the package to be removed.\n\nversion\n    The version of the package that should be removed.\n\npkgs\n    A list of packages to remove.',
      params: REMOVE_PARAMS,
      fn: (ctx, a) => uninstallState(ctx, 'remove', a),
    },
    purged: {
      doc: 'Verify that a package is not installed, calling ``pkg.purge`` if necessary\nto purge the package. All configuration files are also removed.\n\nname\n    The name of the package to be purged.\n\nversion\n    The version of the package that should be removed.\n\npkgs\n    A list of packages to purge.',
      params: REMOVE_PARAMS,
      fn: (ctx, a) => uninstallState(ctx, 'purge', a),
    },
    mod_init: {
      doc: 'Set a flag to tell the install functions to refresh the package database.\nThis ensures that the package database is refreshed only once during\na state run significantly improving the speed of package management\nduring a state run.',
      params: ['low'],
      fn: (ctx, a) => modInit(ctx, (a['low'] as { fun?: unknown } | null)?.fun),
    },
    mod_watch: {
      doc: 'Install/reinstall a package based on a watch requisite\n\n.. note::\n    This state exists to support special handling of the ``watch``\n    :ref:`requisite <requisites>`. It should not be called directly.',
      params: WATCH_PARAMS,
      fn: (ctx, a) => {
        const sfun = text(a['sfun']);
        if (sfun === 'installed') return installed(ctx, pick(a, INSTALLED_PARAMS));
        if (sfun === 'latest') return latest(ctx, pick(a, LATEST_PARAMS));
        if (sfun === 'removed') return uninstallState(ctx, 'remove', pick(a, REMOVE_PARAMS));
        if (sfun === 'purged') return uninstallState(ctx, 'purge', pick(a, REMOVE_PARAMS));
        return stateRet(text(a['name']), false, `pkg.${sfun} does not work with the watch requisite`);
      },
    },
  },
});
