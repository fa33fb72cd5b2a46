import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface RootInfo {
  version: string;
  dir: string | null;
}

let root: RootInfo | undefined;

/**
 * The tsalt version: the root package.json (`"name": "tsalt"`) found by
 * walking up from this file, read once. '0.0.0' when it cannot be found
 * (e.g. the lib was copied out of the repo).
 */
function rootInfo(): RootInfo {
  if (root) return root;
  root = { version: '0.0.0', dir: null };
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'tsalt' && typeof pkg.version === 'string') {
        root = { version: pkg.version, dir };
        break;
      }
    } catch {
      // no package.json here; keep walking up
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return root;
}

export function tsaltVersion(): string {
  return rootInfo().version;
}

/** The libraries whose versions `test.versions_report` lists. */
const DEPENDENCIES = ['@msgpack/msgpack', 'commander', 'mysql2', 'node-forge', 'pino', 'yaml', 'zeromq'];

function dependencyVersion(name: string): string {
  const dir = rootInfo().dir;
  if (!dir) return 'Not Installed';
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : 'Not Installed';
  } catch {
    return 'Not Installed';
  }
}

/** Salt's `versions_information()`: sections of name → version. */
export function versionsInformation(): Record<string, Record<string, string>> {
  const deps: Record<string, string> = {
    node: process.versions.node,
    v8: process.versions.v8,
    openssl: process.versions.openssl ?? '',
  };
  for (const d of DEPENDENCIES) deps[d] = dependencyVersion(d);
  return {
    'Salt Version': { tsalt: tsaltVersion() },
    'Dependency Versions': deps,
    'System Versions': { system: os.type(), release: os.release(), machine: os.machine(), version: os.version() },
  };
}

/** Salt's `versions_report()` text: a title per section, names right-aligned. */
export function versionsReport(): string {
  const info = versionsInformation();
  const width = Math.max(...Object.values(info).flatMap((s) => Object.keys(s).map((k) => k.length)));
  const lines: string[] = [];
  for (const [title, section] of Object.entries(info)) {
    lines.push(`${title}:`);
    for (const [k, v] of Object.entries(section)) lines.push(`${k.padStart(width + 2)}: ${v}`);
    lines.push(' ');
  }
  lines.pop();
  return lines.join('\n');
}
