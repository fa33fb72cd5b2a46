import fs from 'node:fs';
import { isRecord } from '@tsalt/core';
import { CommandExecutionError, type BoundArgs } from '@tsalt/loader';
import type { StateContext, StateReturn } from '../types.js';
import { errText, isModuleFailure, isTest, isTrue, saltenvOf, salt, stateRet, text } from './state-ret.js';
import { failedPkgRet } from './nested.js';
import { checkRefresh, clearRtag, modInitOnce } from './pkg-refresh.js';
import { foldHold, holdAfterInstall, holdOnly, type HoldSplit } from './pkg-hold.js';
import { desiredLabel, fulfillsVersion, installedPkgs, repackPkgs, type Desired } from './pkg-versions.js';

/*
 * pkg.installed: Salt's `_find_install_targets` (what is missing or at the
 * wrong version), the install, and `_verify_install` (did it take).
 */

/** Arguments pkg.installed and pkg.latest hand on to pkg.install as they are (Salt passes its **kwargs). */
export const INSTALL_PASS_THROUGH = [
  'install_recommends',
  'only_upgrade',
  'force_conf_new',
  'force_yes',
  'cache_valid_time',
  'downloadonly',
] as const;

export function passThrough(a: BoundArgs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of INSTALL_PASS_THROUGH) if (a[k] !== undefined && a[k] !== null) out[k] = a[k];
  return out;
}

/** Salt's `pkg_resource.pack_sources`: `[{name: source}]` to `{name: source}`; null when malformed. */
function packSources(sources: unknown): Record<string, string> | null {
  if (!Array.isArray(sources)) return null;
  const out: Record<string, string> = {};
  for (const item of sources) {
    if (!isRecord(item)) return null;
    const entries = Object.entries(item);
    if (entries.length !== 1) return null;
    const [n, src] = entries[0] as [string, unknown];
    out[n] = text(src);
  }
  return Object.keys(out).length ? out : null;
}

/** A local path for a source: salt:// (and other URLs) through the file client, as Salt's cp.cache_file. */
async function localSource(ctx: StateContext, src: string): Promise<string | null> {
  if (src.startsWith('file://')) return src.slice('file://'.length);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(src)) return src;
  const client = ctx.services.fileClient;
  return client ? client.cacheFile(src, saltenvOf(ctx)) : null;
}

/** Salt's `lowpkg.bin_pkg_info` on Debian: the Version field of a .deb; null when it cannot be read. */
async function debVersion(ctx: StateContext, file: string): Promise<string | null> {
  try {
    const r = (await salt(ctx, 'cmd.run_all', [['dpkg-deb', '-f', file, 'Version']], {
      python_shell: false,
      output_loglevel: 'trace',
      ignore_retcode: true,
    })) as { retcode: number; stdout: string };
    return r.retcode === 0 && r.stdout.trim() ? r.stdout.trim() : null;
  } catch {
    return null;
  }
}

interface Targets {
  desired: Desired;
  targets: Desired;
  toUnpurge: string[];
  toReinstall: Desired;
  warnings: string[];
  /** sources: name -> local path. */
  local: Record<string, string>;
  /** pkg.latest_version refreshed the database already. */
  refreshed: boolean;
}

/** Salt's `_find_install_targets`: the targets, or the ret when nothing is to be done (or something is wrong). */
async function findTargets(
  ctx: StateContext,
  name: string,
  a: BoundArgs,
  pkgs: unknown,
  refresh: boolean,
): Promise<Targets | StateReturn> {
  const sources = a['sources'];
  const reinstall = a['reinstall'] === true;
  const ignoreEpoch = typeof a['ignore_epoch'] === 'boolean' ? a['ignore_epoch'] : null;
  if (pkgs && sources) return stateRet(name, false, 'Only one of "pkgs" and "sources" is permitted.');
  let cur: Record<string, string[]>;
  try {
    cur = await installedPkgs(ctx);
  } catch (err) {
    if (!isModuleFailure(err)) throw err;
    return stateRet(name, false, errText(err));
  }
  const packed = sources ? packSources(sources) : repackPkgs(pkgs);
  if (!packed || !Object.keys(packed).length)
    return stateRet(name, false, `Invalidly formatted '${sources ? 'sources' : 'pkgs'}' parameter. See minion log.`);
  const desired: Desired = { ...packed };
  const purgeDesired = (await salt(ctx, 'pkg.list_pkgs', [], { purge_desired: true })) as Record<string, unknown>;
  const toUnpurge = Object.keys(desired).filter((n) => n in purgeDesired);
  const warnings: string[] = [];
  const problems: string[] = [];
  const local: Record<string, string> = {};
  let refreshed = false;
  if (sources) {
    for (const [n, src] of Object.entries(desired as Record<string, string>)) {
      const file = await localSource(ctx, src);
      if (!file) problems.push(`Unable to cache ${src}: file not found`);
      else if (!fs.existsSync(file)) problems.push(`${src} does not exist on minion`);
      else local[n] = file;
    }
  } else {
    const latest = Object.keys(desired).filter((n) => desired[n] === 'latest');
    if (latest.length) {
      refreshed = refresh;
      let resolved = await salt(ctx, 'pkg.latest_version', latest, { refresh });
      if (refresh) clearRtag(ctx);
      if (latest.length === 1) resolved = { [latest[0] ?? '']: resolved };
      // An empty answer is "up to date": the installed version is the latest one.
      for (const [n, v] of Object.entries(resolved as Record<string, string>))
        desired[n] = v ? v : (cur[n]?.[cur[n].length - 1] ?? null);
    }
  }
  const targets: Desired = {};
  const toReinstall: Desired = {};
  let versionSpec = false;
  for (const [pkg, want] of Object.entries(desired)) {
    const cver = cur[pkg] ?? [];
    if (!cver.length) {
      targets[pkg] = want;
      continue;
    }
    let verstr: string;
    if (sources) {
      if (reinstall) {
        toReinstall[pkg] = want;
        continue;
      }
      const file = local[pkg];
      if (!file) continue;
      const v = await debVersion(ctx, file);
      if (v === null) {
        warnings.push(`Failed to parse metadata for ${want ?? ''}`);
        continue;
      }
      verstr = v;
    } else {
      if (reinstall) {
        toReinstall[pkg] = want;
        continue;
      }
      // No version asked for, and some version is installed.
      if (!want) continue;
      verstr = want;
    }
    const ok = await fulfillsVersion(ctx, cver, verstr, ignoreEpoch, !sources && a['allow_updates'] === true);
    versionSpec = true;
    if (!ok) {
      if (reinstall) toReinstall[pkg] = want;
      else targets[pkg] = want;
    }
  }
  if (problems.length) return stateRet(name, false, problems.join(' '));
  if (!Object.keys(targets).length && !toUnpurge.length && !Object.keys(toReinstall).length) {
    const ret = stateRet(
      name,
      true,
      `All specified packages are already installed${versionSpec && !sources ? ' and are at the desired version' : ''}`,
    );
    if (warnings.length) ret['warnings'] = warnings;
    return ret;
  }
  return { desired, targets, toUnpurge, toReinstall, warnings, local, refreshed };
}

function withWarnings(ret: StateReturn, warnings: string[]): StateReturn {
  if (warnings.length) ret['warnings'] = [...((ret['warnings'] as string[]) ?? []), ...warnings];
  return ret;
}

/** Salt's `_verify_install`: which wanted packages are now there at a wanted version. */
async function verifyInstall(
  ctx: StateContext,
  desired: Desired,
  now: Record<string, string[]>,
  ignoreEpoch: boolean | null,
): Promise<{ ok: string[]; failed: string[] }> {
  const ok: string[] = [];
  const failed: string[] = [];
  for (const [pkg, want] of Object.entries(desired)) {
    const cver = now[pkg.split('=')[0] ?? pkg];
    if (!cver?.length) failed.push(pkg);
    else if (!want || want === 'latest') ok.push(pkg);
    else if (want.endsWith('*') && (cver[0] ?? '').startsWith(want.slice(0, -1))) ok.push(pkg);
    else if (await fulfillsVersion(ctx, cver, want, ignoreEpoch)) ok.push(pkg);
    else failed.push(pkg);
  }
  return { ok, failed };
}

/** Salt's pkg.installed. */
export async function installed(ctx: StateContext, a: BoundArgs): Promise<StateReturn> {
  const name = text(a['name']);
  let pkgs = a['pkgs'];
  const sources = a['sources'];
  if (Array.isArray(pkgs) && pkgs.length === 0) return stateRet(name, true, 'No packages to install provided');
  let version = a['version'] === null || a['version'] === undefined ? null : text(a['version']);
  // A lone name (and version) is a one-package pkgs list.
  if (name && !pkgs && !sources) {
    pkgs = version ? [{ [name]: version }] : [name];
    version = null;
  }
  modInitOnce(ctx, 'installed');
  let refresh = checkRefresh(ctx, a['refresh']);
  if (a['pkg_verify']) return stateRet(name, false, 'pkg.verify not implemented');
  const hold = a['hold'] === undefined || a['hold'] === null ? null : isTrue(a['hold']);
  const found = await findTargets(ctx, name, a, pkgs, refresh);
  if ('result' in found) {
    if (hold === null) return found;
    const names = Object.keys((sources ? packSources(sources) : repackPkgs(pkgs)) ?? {});
    return holdOnly(ctx, found, hold, names);
  }
  const { desired, targets, toUnpurge, toReinstall, warnings, local, refreshed } = found;
  if (toUnpurge.length) return withWarnings(stateRet(name, false, 'lowpkg.unpurge not implemented'), warnings);
  if (refreshed) refresh = false;
  const wanted = [...Object.keys(targets), ...Object.keys(toReinstall)];
  const comment: string[] = [];
  const changes: Record<string, unknown> = {};
  if (isTest(ctx)) {
    if (Object.keys(targets).length) {
      for (const x of Object.keys(targets)) changes[x] = { new: 'installed', old: '' };
      comment.push(`The following packages would be installed/updated: ${Object.keys(targets).join(', ')}`);
    }
    if (Object.keys(toReinstall).length) {
      const labels = Object.keys(toReinstall).map((x) => (sources ? x : desiredLabel(x, toReinstall)));
      for (const x of labels) changes[x] = { new: 'installed', old: '' };
      comment.push(`The following packages would be reinstalled: ${labels.join(', ')}`);
    }
    return withWarnings(stateRet(name, null, comment.join('\n'), changes), warnings);
  }
  let pkgRet: Record<string, unknown> = {};
  try {
    const r = await salt(ctx, 'pkg.install', [], {
      ...passThrough(a),
      name: null,
      refresh,
      fromrepo: a['fromrepo'] ?? null,
      skip_verify: a['skip_verify'] === true,
      ...(sources
        ? { sources: wanted.map((n) => ({ [n]: local[n] ?? desired[n] })) }
        : { pkgs: wanted.map((n) => ({ [n]: targets[n] ?? toReinstall[n] ?? null })) }),
      reinstall: Object.keys(toReinstall).length > 0,
      normalize: a['normalize'] !== false,
      update_holds: a['update_holds'] === true,
      ignore_epoch: a['ignore_epoch'] ?? null,
      split_arch: false,
      saltenv: saltenvOf(ctx),
    });
    if (isRecord(r)) pkgRet = r;
    else if (typeof r === 'string') comment.push(r);
  } catch (err) {
    if (!(err instanceof CommandExecutionError)) throw err;
    return withWarnings(failedPkgRet(name, err, 'An error was encountered while installing package(s)'), warnings);
  } finally {
    // pkg.install refreshed first when asked: the refresh of this run is done.
    if (refresh) clearRtag(ctx);
  }
  Object.assign(changes, pkgRet);
  let held: HoldSplit | null = null;
  if (hold !== null) {
    const h = await holdAfterInstall(ctx, hold, Object.keys(desired));
    if (typeof h === 'string') {
      comment.push(h);
      return withWarnings(stateRet(name, false, comment.join('\n'), changes), warnings);
    }
    held = h;
  }
  const ignoreEpoch = typeof a['ignore_epoch'] === 'boolean' ? a['ignore_epoch'] : null;
  let modified: string[];
  let notModified: string[];
  let failed: string[];
  if (sources) {
    modified = Object.keys(changes).filter((x) => x in targets);
    notModified = Object.keys(desired).filter((x) => !(x in targets) && !(x in toReinstall));
    failed = Object.keys(targets).filter((x) => !modified.includes(x));
  } else {
    const v = await verifyInstall(ctx, desired, await installedPkgs(ctx), ignoreEpoch);
    modified = v.ok.filter((x) => x in targets);
    notModified = v.ok.filter((x) => !(x in targets) && !(x in toReinstall));
    failed = v.failed.filter((x) => x in targets);
  }
  const label = (x: string): string => (sources ? x : desiredLabel(x, desired));
  if (modified.length) {
    const summary = modified.map(label).join(', ');
    // Salt measures the joined text, not the count, before it switches to a count.
    comment.push(
      summary.length < 20
        ? `The following packages were installed/updated: ${summary}`
        : `${modified.length} targeted package${modified.length > 1 ? 's' : ''} ${modified.length > 1 ? 'were' : 'was'} installed/updated.`,
    );
  }
  if (held) foldHold(held.modified, changes, comment);
  if (notModified.length) {
    comment.push(
      notModified.length <= 20
        ? `The following packages were already installed: ${notModified.map(label).join(', ')}`
        : `${notModified.length} targeted packages were already installed`,
    );
  }
  for (const h of held?.unchanged ?? []) comment.push(h.comment);
  let result = true;
  if (failed.length) {
    comment.unshift(`The following packages failed to install/update: ${failed.map(label).join(', ')}`);
    result = false;
  }
  for (const h of held?.failed ?? []) {
    comment.push(h.comment);
    result = false;
  }
  for (const pkg of Object.keys(toReinstall)) {
    if (pkg in pkgRet) comment.push(`Package ${label(pkg)} was reinstalled.`);
    else {
      comment.push(`Reinstall was not successful for package ${label(pkg)}.`);
      result = false;
    }
  }
  return withWarnings(stateRet(name, result, comment.join('\n'), changes), warnings);
}
