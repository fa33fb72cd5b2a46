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

const reg = new Registry({ kind: 'module', opts: minionConfig(), log: silentLogger() }, executionModulePlugins());

/** Every recorded call gives Salt's return (or error text) and leaves the file as Salt left it. */
describe("file edits match Salt 3006.8's results", () => {
  for (const [i, c] of SALT_CASES.entries()) {
    const title = `#${i} file.${c.fn} ${JSON.stringify(c.args)} ${JSON.stringify(c.kwargs)} on ${JSON.stringify(c.content)}`;
    it(title, { timeout: 10_000 }, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-file-case-'));
      try {
        const p = path.join(dir, 'f.txt');
        fs.writeFileSync(p, c.content);
        let ret: unknown = null;
        let err: string | null = null;
        try {
          ret = (await reg.call(`file.${c.fn}`, [p, ...c.args], c.kwargs)).return;
        } catch (e) {
          err = (e as Error).message.split(dir).join('<DIR>');
        }
        if (typeof ret === 'string') ret = ret.split(dir).join('<DIR>');
        assert.equal(err, c.err);
        assert.deepEqual(ret, c.ret);
        assert.equal(fs.readFileSync(p, 'utf8'), c.after);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
