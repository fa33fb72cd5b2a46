import path from 'node:path';
import { isRecord, pyStr } from '@tsalt/core';
import { CommandExecutionError, SaltInvocationError } from '@tsalt/loader';
import type { ModuleContext } from './context.js';
import { compareDebianVersions, compareDicts } from './apt-parse.js';
import {
  DPKG_ENV,
  availableVersions,
  dropPackageCache,
  getSelections,
  isTrue,
  listPkgs,
  refreshDb,
  setSelection,
  stringify,
} from './apt-query.js';
import { APT_CHANGE_TIMEOUT_MS, runApt } from './host-command.js';

export type Changes = Record<string, { old: string; new: string }>;

/** What pkg.install / remove were asked for: name -> version (null for any), from a repo or local .deb files. */
export interface Targets {
  params: Record<string, string | null>;
  kind: 'repository' | 'file';
}

function versionText(v: unknown): string | null {
  return v === null || v === undefined || v === '' ? null : pyStr(v);
}

/** Salt's pkg_resource.parse_targets: `name` (comma-separated), `pkgs` or `sources`. */
export function parseTargets(name: unknown, pkgs: unknown, sources: unknown, version?: unknown): Targets | null {
  if (pkgs !== null && pkgs !== undefined && sources !== null && sources !== undefined)
    throw new SaltInvocationError('Only one of pkgs or sources can be specified.');
  const listOf = (v: unknown, what: string): unknown[] => {
    if (!Array.isArray(v)) throw new SaltInvocationError(`${what} must be a list, got ${JSON.stringify(v)}`);
    return v;
  };
  if (pkgs !== null && pkgs !== undefined) {
    const list = listOf(pkgs, 'pkgs');
    const params: Record<string, string | null> = {};
    for (const item of list) {
      const [n, v] = isRecord(item) ? (Object.entries(item)[0] ?? ['', null]) : [String(item), null];
      params[n] = versionText(v);
    }
    if (Object.keys(params).length !== list.length)
      throw new SaltInvocationError(
        `You are passing a list of packages that contains duplicated packages names: ${JSON.stringify(list)}. This cannot be processed. In case you are targeting different versions of the same package, please target them individually`,
      );
    return list.length ? { params, kind: 'repository' } : null;
  }
  if (sources !== null && sources !== undefined) {
    const params: Record<string, string | null> = {};
    for (const item of listOf(sources, 'sources')) {
      const [n, src] = isRecord(item) ? (Object.entries(item)[0] ?? ['', '']) : ['', item];
      const file = String(src);
      if (!path.isAbsolute(file))
        throw new SaltInvocationError(`Path ${file} for package ${n} is either not absolute or an invalid protocol`);
      params[file] = null;
    }
    return Object.keys(params).length ? { params, kind: 'file' } : null;
  }
  if (name !== null && name !== undefined && name !== '') {
    const params: Record<string, string | null> = {};
    for (const n of pyStr(name).split(',')) params[n] = versionText(version);
    return { params, kind: 'repository' };
  }
  return null;
}

/** Salt's CommandExecutionError text when there is info: `<msg>. Additional info follows:` and the info, nested. */
export function failure(message: string, info: Record<string, unknown>): CommandExecutionError {
  const lines: string[] = [];
  const walk = (v: unknown, indent: string): void => {
    if (Array.isArray(v))
      for (const x of v) lines.push(`${indent}- ${pyStr(x).trim().replace(/\n/g, `\n${indent}  `)}`);
    else if (isRecord(v)) {
      if (Object.keys(v).length === 0) lines.push(`${indent}----------`);
      for (const [k, x] of Object.entries(v)) {
        if (isRecord(x) || Array.isArray(x)) {
          lines.push(`${indent}${k}:`);
          walk(x, `${indent}    `);
        } else lines.push(`${indent}${k}: ${pyStr(x)}`);
      }
    } else lines.push(`${indent}${pyStr(v)}`);
  };
  walk(info, '');
  const head = /[.?!]$/.test(message) ? message : `${message}.`;
  return new CommandExecutionError(`${head} Additional info follows:\n\n${lines.join('\n')}`, info);
}

const OPERATORS = ['>=', '<=', '>', '<', '=='] as const;

/** Salt's salt.utils.pkg.match_version: the newest available version satisfying `>=1.2`-style text. */
export function matchVersion(desired: string, available: readonly string[]): string | undefined {
  const op = OPERATORS.find((o) => desired.startsWith(o)) ?? '==';
  const want = desired.slice(desired.startsWith(op) ? op.length : 0).trim();
  const ok = (v: string): boolean => {
    const c = compareDebianVersions(v, want);
    return op === '>=' ? c >= 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : op === '<' ? c < 0 : c === 0;
  };
  return [...available].sort((a, b) => compareDebianVersions(b, a)).find(ok);
}

/** `apt-get -q -y -o DPkg::Options::=--force-confold ...` and the options install and upgrade share. */
function aptPrefix(kw: Record<string, unknown>, forInstall: boolean): string[] {
  const cmd = ['apt-get', '-q', '-y'];
  if (isTrue(kw['force_yes'])) cmd.push('--force-yes');
  if (isTrue(kw['force_conf_new'])) cmd.push('-o', 'DPkg::Options::=--force-confnew');
  else cmd.push('-o', 'DPkg::Options::=--force-confold', '-o', 'DPkg::Options::=--force-confdef');
  if (!forInstall) {
    if (isTrue(kw['skip_verify'])) cmd.push('--allow-unauthenticated');
    return cmd;
  }
  if ('install_recommends' in kw)
    cmd.push(isTrue(kw['install_recommends']) ? '--install-recommends' : '--no-install-recommends');
  if (isTrue(kw['only_upgrade'])) cmd.push('--only-upgrade');
  if (isTrue(kw['skip_verify'])) cmd.push('--allow-unauthenticated');
  return cmd;
}

export interface InstallOptions {
  targets: Targets;
  refresh: boolean;
  fromrepo?: string;
  reinstall: boolean;
  downloadonly: boolean;
  /** install_recommends, force_yes, force_conf_new, only_upgrade, skip_verify, cache_valid_time. */
  kw: Record<string, unknown>;
}

/** pkg.install through apt-get: `{name: {old, new}}` for what changed. */
export async function aptInstall(ctx: ModuleContext, o: InstallOptions): Promise<Changes> {
  const old = stringify(await listPkgs(ctx));
  const prefix = aptPrefix(o.kw, true);
  if (o.fromrepo && o.targets.kind === 'repository') prefix.push('-t', o.fromrepo);
  prefix.push('install');
  const targets: string[] = [];
  const downgrade: string[] = [];
  const reinstall: Record<string, string> = {};
  const errors: string[] = [];
  for (const [name, wanted] of Object.entries(o.targets.params)) {
    if (o.targets.kind === 'file' || wanted === null) {
      if (o.reinstall && name in old) reinstall[name] = name;
      else targets.push(name);
      continue;
    }
    let version = wanted.replace(/^=+(?!=)/, '');
    if (version.startsWith('<') || version.startsWith('>')) {
      const candidates = await availableVersions(ctx, name);
      const hit = matchVersion(version, candidates);
      if (hit === undefined) {
        errors.push(
          `No version matching '${name}${version}' could be found (available: ${candidates.length ? candidates.join(', ') : 'None'})`,
        );
        continue;
      }
      version = hit;
    }
    const spec = `${name}=${version}`;
    const cver = old[name] ?? '';
    if (o.reinstall && cver && compareDebianVersions(version, cver) === 0) reinstall[name] = spec;
    else if (!cver || compareDebianVersions(version, cver) >= 0) targets.push(spec);
    else downgrade.push(spec);
  }
  const cmds: string[][] = [];
  if (targets.length) cmds.push([...prefix, ...targets]);
  if (downgrade.length) cmds.push([...prefix.slice(0, -1), '--allow-downgrades', 'install', ...downgrade]);
  if (Object.keys(reinstall).length) cmds.push([...prefix, '--reinstall', ...Object.values(reinstall)]);
  if (o.downloadonly) for (const c of cmds) c.push('--download-only');

  let ret: Changes = {};
  if (cmds.length) {
    if (o.refresh) await refreshDb(ctx, Number(o.kw['cache_valid_time'] ?? 0) || 0);
    // A held package would be skipped: unhold what was asked for, install, hold again.
    const held = (await getSelections(ctx, undefined, 'hold'))['hold'] ?? [];
    const named = [...targets, ...downgrade, ...Object.values(reinstall)].map((t) => t.split('=')[0] ?? t);
    const toUnhold = held.filter((h) => named.includes(h));
    for (const p of toUnhold) await setSelection(ctx, p, 'install');
    for (const cmd of cmds) {
      const r = await runApt(ctx, cmd, { env: { ...DPKG_ENV }, timeoutMs: APT_CHANGE_TIMEOUT_MS });
      if (r.retcode !== 0 && r.stderr.trim()) errors.push(r.stderr.trim());
    }
    dropPackageCache(ctx);
    const now = stringify(await listPkgs(ctx));
    ret = compareDicts(old, now);
    for (const name of Object.keys(reinstall))
      if (!(name in ret) || name in old) ret[name] = { old: old[name] ?? '', new: now[name] ?? '' };
    for (const p of toUnhold) await setSelection(ctx, p, 'hold');
  }
  if (errors.length) throw failure('Problem encountered installing package(s)', { errors, changes: ret });
  return ret;
}

/** pkg.remove / pkg.purge: purge answers `{removed, installed}`, remove the changes alone. */
export async function aptUninstall(
  ctx: ModuleContext,
  action: 'remove' | 'purge',
  targets: Targets | null,
): Promise<Changes | { removed: Changes; installed: Changes }> {
  const names = Object.keys(targets?.params ?? {});
  const old = stringify(await listPkgs(ctx));
  const oldRemoved = stringify(await listPkgs(ctx, { removed: true }));
  const hit = names.filter((n) => n in old);
  if (action === 'purge') hit.push(...names.filter((n) => n in oldRemoved));
  if (hit.length === 0) return {};
  const r = await runApt(ctx, ['apt-get', '-q', '-y', action, ...hit], {
    env: { ...DPKG_ENV },
    timeoutMs: APT_CHANGE_TIMEOUT_MS,
  });
  const errors = r.retcode !== 0 && r.stderr.trim() ? [r.stderr.trim()] : [];
  dropPackageCache(ctx);
  const changes = compareDicts(old, stringify(await listPkgs(ctx)));
  const ret =
    action === 'purge'
      ? { removed: compareDicts(oldRemoved, stringify(await listPkgs(ctx, { removed: true }))), installed: changes }
      : changes;
  if (errors.length) throw failure('Problem encountered removing package(s)', { errors, changes: ret });
  return ret;
}

/** pkg.upgrade: `apt-get -q -y ... upgrade` (or dist-upgrade). */
export async function aptUpgrade(
  ctx: ModuleContext,
  distUpgrade: boolean,
  kw: Record<string, unknown>,
): Promise<Changes> {
  const old = stringify(await listPkgs(ctx));
  const cmd = aptPrefix(kw, false);
  if (isTrue(kw['download_only']) || isTrue(kw['downloadonly'])) cmd.push('--download-only');
  if (isTrue(kw['allow_downgrades'])) cmd.push('--allow-downgrades');
  cmd.push(distUpgrade ? 'dist-upgrade' : 'upgrade');
  const r = await runApt(ctx, cmd, { env: { ...DPKG_ENV }, timeoutMs: APT_CHANGE_TIMEOUT_MS });
  dropPackageCache(ctx);
  const ret = compareDicts(old, stringify(await listPkgs(ctx)));
  if (r.retcode !== 0)
    throw failure('Problem encountered upgrading packages', {
      changes: ret,
      result: { retcode: r.retcode, stdout: r.stdout, stderr: r.stderr, pid: r.pid },
    });
  return ret;
}
