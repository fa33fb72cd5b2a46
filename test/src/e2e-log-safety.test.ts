import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pack, ReqClient } from '@tsalt/transport';
import { cluster, waitFor, within, type Cluster } from './harness.js';

/** The master's log lines (console) that mention `needle`. */
function linesWith(text: string, needle: string): string[] {
  return text.split('\n').filter((l) => l.includes(needle));
}

describe(
  'what a peer sends cannot forge or flood the log; ids that cannot be stored are refused with a reason',
  { timeout: 120_000 },
  () => {
    let c: Cluster;
    before(async () => {
      c = await cluster();
      await c.startMaster();
    });
    after(async () => c?.cleanup());

    test('a clear cmd holding a newline and an ESC is written escaped on one line, console and file', async () => {
      const client = new ReqClient({ address: `tcp://127.0.0.1:${c.ports.ret}` });
      try {
        const cmd = 'x\n[CRITICAL] forged\x1b[2J';
        await client.request(pack({ enc: 'clear', load: { cmd } }), 3000);
      } finally {
        client.close();
      }
      const out = await waitFor('the refused-cmd line', () =>
        /refused clear command outside the allow-list/.test(c.master!.output()) ? c.master!.output() : undefined,
      );
      const [line, ...more] = linesWith(out, 'forged');
      assert.equal(more.length, 0, out);
      assert.ok(line?.startsWith('[WARNING ]'), line);
      assert.ok(line?.includes('cmd=x\\n[CRITICAL] forged\\x1b[2J'), line);
      assert.ok(!out.split('\n').some((l) => l.startsWith('[CRITICAL] forged')), out);
      assert.ok(!out.includes('\x1b'));
      const file = fs.readFileSync(path.join(c.root, 'var/log/tsalt/master'), 'utf8');
      for (const l of file.split('\n').filter(Boolean)) JSON.parse(l);
    });

    for (const [name, id] of [
      ['250 characters', 'a'.repeat(250)],
      ['130 two-byte characters', 'é'.repeat(130)],
    ] as const) {
      test(`a minion id of ${name} gets a signed refusal with a reason; the minion logs it and stops`, async () => {
        const harnessName = `long-${id.length}`;
        const m = await c.startMinion(harnessName, `id: ${JSON.stringify(id)}`);
        const code = await within(m.exited, 30_000, 'still running');
        const out = m.output();
        assert.notEqual(code, 'still running', out);
        assert.notEqual(code, 0, out);
        assert.match(out, /refused this minion's authentication: minion id is longer than 234 bytes/);
        assert.ok(!out.includes('bad load'), out);
        const master = await waitFor('the refused-id line', () => {
          const lines = linesWith(c.master!.output(), `minion=${id.slice(0, 80)}`);
          return lines.length ? lines : undefined;
        });
        for (const l of master) {
          assert.ok(l.length < 400, l);
          assert.ok(!l.includes(id), l);
          assert.match(l, /refused authentication: bad minion id/);
          assert.ok(l.includes(`…[+${id.length - 80} chars]`), l);
        }
        assert.ok(!fs.existsSync(c.pki('minions_pre', id.slice(0, 200))));
      });
    }

    test('a multi-byte id that fits (100 × é, 200 bytes) is stored as pending', async () => {
      const id = 'é'.repeat(100);
      await c.startMinion('fits', `id: ${JSON.stringify(id)}`);
      await waitFor('the pending key', () => fs.existsSync(c.pki('minions_pre', id)), 20_000, {
        alive: [c.master, c.minions.get('fits')],
      });
    });
  },
);
