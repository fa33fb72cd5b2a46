import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { executionModulePlugins } from '../index.js';
import { SALT_CASES } from './salt-cases.data.js';

// The cases were recorded under umask 022 and as root (check_perms chowns to root).
process.umask(0o022);
const isRoot = process.getuid?.() === 0;

const reg = new Registry({ kind: 'module', opts: minionConfig(), log: silentLogger() }, executionModulePlugins());

/** `<F>` and `<D>` in a raw case's arguments: the case's file and directory. */
function subst(v: unknown, dir: string, file: string): unknown {
  if (typeof v === 'string') return v.split('<F>').join(file).split('<D>').join(dir);
  if (Array.isArray(v)) return v.map((x) => subst(x, dir, file));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, subst(x, dir, file)]));
  return v;
}

/** Every recorded call gives Salt's return (or error text) and leaves the file as Salt left it. */
describe("file edits match Salt 3006.8's results", () => {
  for (const [i, c] of SALT_CASES.entries()) {
    const title = `#${i} file.${c.fn} ${JSON.stringify(c.args)} ${JSON.stringify(c.kwargs)} on ${JSON.stringify(c.content)}`;
    const skip = c.fn === 'check_perms' && !isRoot ? 'needs root' : false;
    it(title, { timeout: 10_000, skip }, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-file-case-'));
      try {
        const p = path.join(dir, 'f.txt');
        fs.writeFileSync(p, c.content);
        for (const [name, text] of Object.entries(c.files ?? {})) fs.writeFileSync(path.join(dir, name), text);
        const args = subst(c.args, dir, p) as unknown[];
        let ret: unknown = null;
        let err: string | null = null;
        try {
          ret = (
            await reg.call(
              `file.${c.fn}`,
              c.raw ? args : [p, ...args],
              subst(c.kwargs, dir, p) as Record<string, unknown>,
            )
          ).return;
        } catch (e) {
          err = (e as Error).message.split(dir).join('<DIR>');
        }
        ret = JSON.parse(
          JSON.stringify(ret ?? null)
            .split(dir)
            .join('<DIR>'),
        );
        assert.equal(err, c.err);
        assert.deepEqual(ret, c.ret);
        assert.equal(fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null, c.after);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
