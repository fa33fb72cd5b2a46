import fs from 'node:fs';
import { CommandExecutionError } from '@tsalt/loader';
import type { ModuleContext } from './context.js';
import {
  DPKG_INFO_FORMAT,
  DPKG_LIST_FORMAT,
  compareDebianVersions,
  parseAptUpdate,
  parseDpkgInfo,
  parseDpkgList,
  parsePolicyCandidate,
  parseSelections,
  type DpkgPackages,
} from './apt-parse.js';
import { runApt, runHost } from './host-command.js';

/** Salt's DPKG_ENV_VARS: apt and dpkg never prompt, and keep changed config files. */
export const DPKG_ENV: Readonly<Record<string, string>> = {
  APT_LISTBUGS_FRONTEND: 'none',
  APT_LISTCHANGES_FRONTEND: 'none',
  DEBIAN_FRONTEND: 'noninteractive',
  UCF_FORCE_CONFFOLD: '1',
};

/** Where apt keeps its downloaded indexes; its mtime says when refresh_db last ran. */
const APT_LISTS_PATH = '/var/lib/apt/lists';
const CONTEXT_KEY = 'pkg.list_pkgs';

/** Salt's salt.utils.data.is_true: booleans, positive numbers and the string "true". */
export function isTrue(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v > 0;
  if (typeof v === 'string') return v.toLowerCase() === 'true';
  return false;
}

/** The dpkg architecture of this host (`amd64`), for naming foreign-arch packages. */
function osarch(ctx: ModuleContext): string | undefined {
  const g = ctx.grains['osarch'];
  return typeof g === 'string' && g ? g : undefined;
}

/** Every package dpkg knows, cached in the call's `__context__` until a change drops it. */
export async function dpkgPackages(ctx: ModuleContext, useContext = true): Promise<DpkgPackages> {
  const cached = ctx.context[CONTEXT_KEY] as DpkgPackages | undefined;
  if (cached && useContext) return cached;
  const r = await runHost(ctx, ['dpkg-query', '--showformat', DPKG_LIST_FORMAT, '-W']);
  const pkgs = parseDpkgList(r.stdout, osarch(ctx));
  ctx.context[CONTEXT_KEY] = pkgs;
  return pkgs;
}

/** Forget the cached package list: the next read sees what a change did. */
export function dropPackageCache(ctx: ModuleContext): void {
  delete ctx.context[CONTEXT_KEY];
}

/** Salt's pkg_resource.stringify: several installed versions read `v1,v2`. */
export function stringify(pkgs: Record<string, string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(pkgs).map(([k, v]) => [k, v.join(',')]));
}

/** list_pkgs: installed (plus purge-desired) packages, or the removed ones. */
export async function listPkgs(
  ctx: ModuleContext,
  opts: { removed?: boolean; purgeDesired?: boolean; useContext?: boolean } = {},
): Promise<Record<string, string[]>> {
  const all = await dpkgPackages(ctx, opts.useContext ?? true);
  if (opts.removed) return { ...all.removed };
  const ret: Record<string, string[]> = { ...all.purge_desired };
  if (!opts.purgeDesired) Object.assign(ret, all.installed);
  return Object.fromEntries(Object.entries(ret).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `dpkg --get-selections <pattern>`: state -> names, optionally one state only. */
export async function getSelections(
  ctx: ModuleContext,
  pattern?: string,
  state?: string,
): Promise<Record<string, string[]>> {
  const r = await runHost(ctx, ['dpkg', '--get-selections', pattern || '*']);
  const sel = parseSelections(r.stdout);
  return state ? { [state]: sel[state] ?? [] } : sel;
}

/** Sets one package's dpkg selection (`hold`, `install`, ...); true when dpkg took it. */
export async function setSelection(ctx: ModuleContext, pkg: string, state: string): Promise<boolean> {
  const r = await runApt(ctx, ['dpkg', '--set-selections'], { stdin: `${pkg} ${state}\n` });
  if (r.retcode !== 0) ctx.log.error({ pkg, state, stderr: r.stderr.trim() }, 'failed to set package selection');
  return r.retcode === 0;
}

/** refresh_db: `apt-get -q update`, unless the lists are younger than cacheValidTime (s). */
export async function refreshDb(
  ctx: ModuleContext,
  cacheValidTime = 0,
  failhard = false,
): Promise<Record<string, boolean | null>> {
  if (cacheValidTime > 0) {
    try {
      const age = (Date.now() - fs.statSync(APT_LISTS_PATH).mtimeMs) / 1000;
      if (age < cacheValidTime) return {};
    } catch (err) {
      ctx.log.warn({ err: String(err) }, 'could not stat the apt lists directory');
    }
  }
  const r = await runApt(ctx, ['apt-get', '-q', 'update'], { env: { ...DPKG_ENV } });
  if (r.retcode !== 0) throw new CommandExecutionError(r.stderr);
  const parsed = parseAptUpdate(r.stdout);
  if (failhard && parsed.errors.length > 0)
    throw new CommandExecutionError(`Error getting repos: ${parsed.errors.join(', ')}`);
  return parsed.repos;
}

/** `apt-cache policy` candidate of one package ('' when none), optionally from one release. */
export async function candidate(ctx: ModuleContext, name: string, fromrepo?: string): Promise<string> {
  const argv = ['apt-cache', '-q', 'policy', name];
  if (fromrepo) argv.push('-o', `APT::Default-Release=${fromrepo}`);
  return parsePolicyCandidate((await runApt(ctx, argv)).stdout);
}

/**
 * latest_version for each name: the candidate when it is newer than every
 * installed version (or when nothing is installed, or show_installed), else ''.
 */
export async function latestVersions(
  ctx: ModuleContext,
  names: string[],
  opts: { refresh: boolean; showInstalled: boolean; fromrepo?: string; cacheValidTime: number },
): Promise<Record<string, string>> {
  const installed = await listPkgs(ctx);
  if (opts.refresh) await refreshDb(ctx, opts.cacheValidTime);
  const ret: Record<string, string> = {};
  for (const name of names) {
    const cand = await candidate(ctx, name, opts.fromrepo);
    const have = installed[name] ?? [];
    if (have.length === 0 || opts.showInstalled) ret[name] = cand;
    else if (cand && !have.some((v) => compareDebianVersions(v, cand) >= 0)) ret[name] = cand;
    else ret[name] = '';
  }
  return ret;
}

/** The versions apt could install of one package, newest first (`apt-cache madison`). */
export async function availableVersions(ctx: ModuleContext, name: string): Promise<string[]> {
  const r = await runApt(ctx, ['apt-cache', '-q', 'madison', name]);
  const versions = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    const cols = line.split('|').map((c) => c.trim());
    if (cols.length >= 3 && cols[0] === name && cols[1]) versions.add(cols[1]);
  }
  return [...versions].sort((a, b) => compareDebianVersions(b, a));
}

/** Salt's key names for lowpkg.info's dpkg fields, as info_installed reports them. */
const INFO_RENAME: Record<string, string> = {
  package: 'name',
  origin: 'vendor',
  section: 'group',
  maintainer: 'packager',
  homepage: 'url',
};

/** info_installed: dpkg's record of each installed package, in Salt's key names. */
export async function infoInstalled(
  ctx: ModuleContext,
  names: string[],
  failhard: boolean,
): Promise<Record<string, Record<string, string>>> {
  const r = await runHost(ctx, ['dpkg-query', '-W', '-f', DPKG_INFO_FORMAT, ...names]);
  if (r.retcode !== 0 && failhard)
    throw new CommandExecutionError(`Error getting packages information: ${r.stderr.trim()}`);
  const ret: Record<string, Record<string, string>> = {};
  for (const pkg of parseDpkgInfo(r.stdout)) {
    const name = pkg['package'] ?? '';
    if ((pkg['status'] ?? 'ii')[1] !== 'i') continue; // only what is really installed
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(pkg)) {
      if (k === 'status' || k === 'installed_size') continue;
      out[INFO_RENAME[k] ?? k] = v;
    }
    const installedAt = installDate(name);
    if (installedAt) out['install_date'] = installedAt;
    ret[name] = out;
  }
  return ret;
}

/** When dpkg last wrote the package's file list: Salt's install_date (ISO 8601, UTC, whole seconds). */
function installDate(pkg: string): string | undefined {
  try {
    const mtime = fs.statSync(`/var/lib/dpkg/info/${pkg}.list`).mtimeMs;
    return `${new Date(mtime).toISOString().slice(0, 19)}Z`;
  } catch {
    return undefined; // as Salt: multi-arch packages (name:arch.list) get none
  }
}
