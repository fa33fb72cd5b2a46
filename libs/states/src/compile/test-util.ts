import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MinionConfig } from '@tsalt/config';
import { silentLogger } from '@tsalt/core';
import { saltFunctions } from '@tsalt/render';
import type { StateFileClient } from '../types.js';
import { StateCompiler, type CompileOptions } from './compiler.js';

/*
 * Unit-test helpers: a temp file tree per saltenv and a StateFileClient
 * over it (a fake of the compiler's own interface, not of the minion's
 * file client: cacheFile answers the file in place).
 */

/** Writes each env's files under a new temp folder; returns the folder (one sub-folder per env). */
export function roots(envs: Record<string, Record<string, string>>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-states-'));
  for (const [env, files] of Object.entries(envs))
    for (const [rel, text] of Object.entries(files)) {
      const file = path.join(dir, env, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
  return dir;
}

function walk(dir: string, prefix = ''): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

export function dirClient(dir: string): StateFileClient {
  return {
    cacheFile: (source, env) => {
      const file = path.join(dir, env, source.replace(/^salt:\/\//, ''));
      return Promise.resolve(fs.existsSync(file) && fs.statSync(file).isFile() ? file : null);
    },
    list: (_kind, env) => Promise.resolve(walk(path.join(dir, env))),
    hashFile: () => Promise.resolve(undefined),
  };
}

/** A compiler over `dir` (envs: its sub-folders), with a few salt functions. */
export function compiler(
  dir: string,
  extra: Partial<CompileOptions> = {},
  opts: Record<string, unknown> = {},
): StateCompiler {
  const fileRoots = Object.fromEntries(fs.readdirSync(dir).map((e) => [e, [path.join(dir, e)]]));
  return new StateCompiler({
    opts: { file_roots: fileRoots, state_top: 'top.sls', renderer: 'jinja|yaml', ...opts } as unknown as MinionConfig,
    id: 'web1',
    grains: { id: 'web1', os: 'Debian', roles: ['web'], ipv4: ['10.1.2.3'] },
    pillar: { role: 'web', port: 8080 },
    salt: saltFunctions({
      'test.echo': async ([s]) => s,
      'grains.get': ([k]) => (k === 'os' ? 'Debian' : ''),
    }),
    fileClient: dirClient(dir),
    log: silentLogger(),
    saltenv: null,
    ...extra,
  });
}

export function removeRoots(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
