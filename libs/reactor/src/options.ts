import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { errorLine, fnmatch } from '@tsalt/core';
import type { MasterConfig } from '@tsalt/config';

/**
 * The master options the reactor reads, from the compiled config (their
 * defaults and types live in @tsalt/config, docs/config.md). `reactor` is
 * Salt's list of one-key maps `{<tag glob>: <sls path or list of paths>}`,
 * or the path of a YAML file holding that list. Paths are absolute,
 * `salt://` (looked up in `file_roots` base), or relative to the master
 * config's folder; the last path part may be a glob.
 */
export type ReactorOptions = Pick<
  MasterConfig,
  | 'reactor_worker_threads'
  | 'reactor_worker_hwm'
  | 'reactor_max_depth'
  | 'reactor_storm_limit'
  | 'reactor_storm_window_ms'
  | 'cachedir'
  | 'conf_file'
  | 'file_roots'
  | 'id'
  | 'utc_jid'
  | 'renderer'
> & { reactor: unknown };

export interface ReactorEntry {
  glob: string;
  sls: string[];
}

/** The validated form the engine uses. */
export interface CompiledReactorOptions {
  entries: ReactorEntry[];
  workers: number;
  hwm: number;
  maxDepth: number;
  stormLimit: number;
  stormWindowMs: number;
  queueDir: string;
  /** One line per entry that was ignored or path that does not exist, for the log. */
  problems: string[];
  /** What templates see as `opts`: scalar options, none that look secret. */
  templateOpts: Record<string, unknown>;
}

/** The reactor list itself, from the option or from the YAML file it names. */
function reactorList(value: unknown, problems: string[]): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') {
    try {
      const doc = parseDocument(fs.readFileSync(value, 'utf8'), { version: '1.1' });
      if (doc.errors[0]) throw doc.errors[0];
      const list: unknown = doc.toJS();
      if (Array.isArray(list)) return list;
      problems.push(
        `reactor: ${value} must hold a list of {tag glob: [sls, ...]} entries; no reactions are configured`,
      );
    } catch (err) {
      problems.push(`reactor: cannot read ${value}: ${errorLine(err)}; no reactions are configured`);
    }
    return [];
  }
  problems.push(
    `reactor: expected a list of {tag glob: [sls, ...]} entries, got ${JSON.stringify(value)}; no reactions are configured`,
  );
  return [];
}

function fileRoots(v: unknown): string[] {
  const base = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)['base'] : undefined;
  return Array.isArray(base) ? base.filter((d): d is string => typeof d === 'string') : [];
}

/** An SLS reference as a path on disk: `salt://x.sls` through file_roots, a relative one from the config folder. */
export function resolveSlsPath(ref: string, opts: Pick<ReactorOptions, 'conf_file' | 'file_roots'>): string {
  if (ref.startsWith('salt://')) {
    const rel = ref.slice('salt://'.length).split('?')[0] ?? '';
    const roots = fileRoots(opts.file_roots);
    for (const root of roots) {
      const p = path.join(root, rel);
      if (fs.existsSync(p)) return p;
    }
    return path.join(roots[0] ?? '/srv/salt', rel);
  }
  if (path.isAbsolute(ref)) return ref;
  return path.resolve(opts.conf_file ? path.dirname(opts.conf_file) : process.cwd(), ref);
}

const SECRET = /pass|secret|token|key|cred/i;

/** Reads and checks the reactor options once, at start; bad entries become one log line each. */
export function compileReactorOptions(opts: ReactorOptions): CompiledReactorOptions {
  const problems: string[] = [];
  const entries: ReactorEntry[] = [];
  reactorList(opts.reactor, problems).forEach((entry, i) => {
    const shown = JSON.stringify(entry) ?? String(entry);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || Object.keys(entry).length !== 1) {
      problems.push(
        `reactor entry ${i + 1} ignored: ${shown} is not a map of one tag glob to SLS files (- 'salt/auth': [/srv/reactor/auth.sls])`,
      );
      return;
    }
    const [glob, value] = Object.entries(entry as Record<string, unknown>)[0]!;
    const refs =
      typeof value === 'string'
        ? [value]
        : Array.isArray(value) && value.every((v) => typeof v === 'string')
          ? value
          : undefined;
    if (!refs || refs.length === 0) {
      problems.push(
        `reactor entry '${glob}' ignored: expected an SLS path or a list of paths, got ${JSON.stringify(value)}`,
      );
      return;
    }
    const sls = refs.map((r) => resolveSlsPath(r, opts));
    for (const p of sls) {
      if (!/[*?[]/.test(path.basename(p)) && !fs.existsSync(p))
        problems.push(
          `reactor entry '${glob}': ${p} does not exist (yet); events matching it report an error until it does`,
        );
    }
    entries.push({ glob, sls });
  });
  const templateOpts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts)) {
    if (!SECRET.test(k) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'))
      templateOpts[k] = v;
  }
  return {
    entries,
    // Types and ranges were checked at start-up (@tsalt/config's schema).
    workers: opts.reactor_worker_threads,
    hwm: opts.reactor_worker_hwm,
    maxDepth: opts.reactor_max_depth,
    stormLimit: opts.reactor_storm_limit,
    stormWindowMs: opts.reactor_storm_window_ms,
    queueDir: path.join(opts.cachedir, 'reactor_queue'),
    problems,
    templateOpts,
  };
}

/** A configured SLS path with a glob in its last part (`/srv/reactor/*.sls`) as the files it names, sorted. */
export function expandSls(p: string): string[] {
  const base = path.basename(p);
  if (!/[*?[]/.test(base)) return [p];
  const dir = path.dirname(p);
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => fnmatch(f, base))
      .sort()
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}
