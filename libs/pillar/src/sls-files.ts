import fsSync, { type Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/*
 * Finding SLS files under an environment's roots, as Salt's file client
 * does for pillar: `a.b` is `<root>/a/b.sls`, else `<root>/a/b/init.sls`;
 * the `.sls` form in any root wins over `init.sls` in an earlier one.
 */

/** Where an SLS was found: the file, and whether it is an `init.sls` (relative includes start from its folder). */
export interface SlsFile {
  file: string;
  init: boolean;
}

/** An SLS name that cannot leave its root: no empty part, no `..`, no absolute path. */
function safeParts(sls: string): string[] | undefined {
  const parts = sls.split(/[./]/);
  if (parts.some((p) => p === '' || p === '..' || p.includes('\\') || p.includes('\0'))) return undefined;
  return parts;
}

// Whether a path is a file, kept this long (ms): a master compiling for many minions would
// otherwise stat every candidate path of every SLS on each compile.
const STAT_TTL_MS = 1000;
const STAT_MAX = 10_000;
const stats = new Map<string, { at: number; file: boolean }>();

function isFile(file: string): boolean {
  const now = Date.now();
  const hit = stats.get(file);
  if (hit && now - hit.at < STAT_TTL_MS) return hit.file;
  let isReg = false;
  try {
    // Sync: a stat takes microseconds, an async one a round trip through libuv's thread pool.
    isReg = fsSync.statSync(file).isFile();
  } catch {
    isReg = false;
  }
  if (stats.size >= STAT_MAX) stats.clear();
  stats.set(file, { at: now, file: isReg });
  return isReg;
}

/** The file behind an SLS name, or undefined when no root holds it. */
export function findSls(dirs: readonly string[], sls: string): SlsFile | undefined {
  const parts = safeParts(sls);
  if (!parts) return undefined;
  const rel = path.join(...parts);
  for (const [tail, init] of [
    [`${rel}.sls`, false],
    [path.join(rel, 'init.sls'), true],
  ] as const) {
    for (const dir of dirs) {
      const file = path.join(dir, tail);
      if (isFile(file)) return { file, init };
    }
  }
  return undefined;
}

/** The first root holding a plain file at `rel` (the top file), or undefined. */
export function findFile(dirs: readonly string[], rel: string): string | undefined {
  for (const dir of dirs) {
    const file = path.join(dir, rel);
    if (isFile(file)) return file;
  }
  return undefined;
}

// Listings are kept this long (ms): a top with `- users.*` would otherwise walk the roots once per minion.
const LIST_TTL_MS = 1000;
// Symlinked folders are followed, as Salt does; this depth stops a loop.
const MAX_DEPTH = 32;
const listings = new Map<string, { at: number; names: Promise<string[]> }>();

async function walk(dir: string, prefix: string[], depth: number, into: Set<string>): Promise<void> {
  if (depth > MAX_DEPTH) return;
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    let isDir = e.isDirectory();
    let isReg = e.isFile();
    if (e.isSymbolicLink()) {
      const st = await fs.stat(full).catch(() => undefined);
      isDir = st?.isDirectory() ?? false;
      isReg = st?.isFile() ?? false;
    }
    if (isDir) await walk(full, [...prefix, e.name], depth + 1, into);
    else if (isReg && e.name.endsWith('.sls')) {
      if (e.name === 'init.sls') {
        if (prefix.length) into.add(prefix.join('.'));
      } else into.add([...prefix, e.name.slice(0, -4)].join('.'));
    }
  }
}

/** Salt's `list_states`: every SLS name the roots hold, sorted. */
export function listSls(dirs: readonly string[]): Promise<string[]> {
  const key = dirs.join('\0');
  const now = Date.now();
  const hit = listings.get(key);
  if (hit && now - hit.at < LIST_TTL_MS) return hit.names;
  const names = (async () => {
    const into = new Set<string>();
    for (const dir of dirs) await walk(dir, [], 0, into);
    return [...into].sort();
  })();
  if (listings.size > 64) listings.clear();
  listings.set(key, { at: now, names });
  return names;
}

/** Whether an SLS name in a top file or include is a pattern (`users.*`) to match against listSls. */
export function isPattern(sls: string): boolean {
  return /[*?[]/.test(sls);
}

/**
 * The line where `file` names `sls` (`- web.nginx`, `- 'web.nginx'`, or an
 * include's `web.nginx:` mapping), for the log line of a missing SLS.
 */
export async function lineNaming(file: string | undefined, sls: string): Promise<number | undefined> {
  if (!file) return undefined;
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const esc = sls.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // The name as a whole token: `- web.nginx`, `- 'web.nginx'`, `web.nginx:`, `[a, web.nginx]`.
  // A list item naming it first (a target line `'web':` comes before its `- web`), then any whole token.
  const item = new RegExp(`^\\s*-\\s*['"]?${esc}['"]?\\s*(?::|#|$)`);
  const token = new RegExp(`(?:^|[\\s'"\\[,-])${esc}(?:$|[\\s'"\\],:#])`);
  const lines = text.split('\n');
  for (const re of [item, token]) for (let i = 0; i < lines.length; i++) if (re.test(lines[i] ?? '')) return i + 1;
  return undefined;
}
