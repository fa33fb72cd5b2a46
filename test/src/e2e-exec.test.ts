import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { EventListener } from '@tsalt/events';
import { cluster, type Cluster } from './harness.js';

/** test.*, cmd.*, sys.*, outputters, targeting and exit codes against two real minions. */
describe('execution end to end (auto_accept, two minions)', { timeout: 120_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await cluster('auto_accept: True');
    await c.startMaster();
    await c.startMinion('web-1');
    await c.startMinion('db-1');
    await c.waitPing('web-1');
    await c.waitPing('db-1');
  });
  after(async () => c?.cleanup());

  test("tsalt '*' test.ping prints Salt's nested output and exits 0", async () => {
    const r = await c.tsalt(['*', 'test.ping', '--static']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'db-1:\n    True\nweb-1:\n    True\n');
  });

  test('outputters: json, yaml, raw, txt, --out-indent, --out-file', async () => {
    const j = await c.tsalt(['web-1', 'test.ping', '--out', 'json']);
    assert.equal(j.stdout, '{\n    "web-1": true\n}\n');
    const js = await c.tsalt(['*', 'test.ping', '--out', 'json', '--static', '--out-indent', '-1']);
    assert.deepEqual(JSON.parse(js.stdout), { 'web-1': true, 'db-1': true });
    const y = await c.tsalt(['web-1', 'test.echo', 'hello', '--out', 'yaml']);
    assert.equal(y.stdout, 'web-1: hello\n');
    const raw = await c.tsalt(['web-1', 'test.ping', '--out', 'raw']);
    assert.equal(raw.stdout, "{'web-1': True}\n");
    const txt = await c.tsalt(['web-1', 'cmd.run', 'printf "a\\nb"', '--out', 'txt']);
    assert.equal(txt.stdout, 'web-1: a\nweb-1: b\n');
    const file = path.join(c.root, 'out.txt');
    const f = await c.tsalt(['web-1', 'test.ping', '--out-file', file]);
    assert.equal(f.stdout, '');
    assert.equal(fs.readFileSync(file, 'utf8'), 'web-1:\n    True\n');
  });

  test('test.* functions', async () => {
    const echo = await c.tsalt(['web-1', 'test.echo', 'hi there', '--out', 'json']);
    assert.deepEqual(JSON.parse(echo.stdout), { 'web-1': 'hi there' });
    const arg = await c.tsalt(['web-1', 'test.arg', '1', 'two', 'x=3', '--out', 'json']);
    const a = JSON.parse(arg.stdout)['web-1'];
    assert.deepEqual(a.args, [1, 'two']);
    assert.equal(a.kwargs.x, 3);
    const v = await c.tsalt(['web-1', 'test.version', '--out', 'json']);
    assert.match(JSON.parse(v.stdout)['web-1'], /^\d+\.\d+\.\d+/);
    const s = await c.tsalt(['web-1', 'test.sleep', '1', '--out', 'json']);
    assert.deepEqual(JSON.parse(s.stdout), { 'web-1': true });
  });

  test("a non-zero retcode exits 1 with Salt's error line", async () => {
    const r = await c.tsalt(['web-1', 'test.retcode', '3']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ERROR: Minions returned with non-zero exit code/);
    const f = await c.tsalt(['web-1', 'cmd.run', 'exit 7']);
    assert.equal(f.code, 1);
  });

  test('cmd.run, cmd.run_all, cmd.retcode with cwd, env, stdin, shell', async () => {
    const u = await c.tsalt(['*', 'cmd.run', 'uname -a', '--out', 'json', '--static']);
    assert.match(JSON.parse(u.stdout)['web-1'], /Linux/);
    const cwd = await c.tsalt(['web-1', 'cmd.run', 'pwd', 'cwd=/tmp', '--out', 'json']);
    assert.equal(JSON.parse(cwd.stdout)['web-1'], '/tmp');
    const env = await c.tsalt(['web-1', 'cmd.run', 'echo $FOO', 'env={"FOO": "bar"}', '--out', 'json']);
    assert.equal(JSON.parse(env.stdout)['web-1'], 'bar');
    const stdin = await c.tsalt(['web-1', 'cmd.run', 'cat', 'stdin=piped', '--out', 'json']);
    assert.equal(JSON.parse(stdin.stdout)['web-1'], 'piped');
    const all = await c.tsalt(['web-1', 'cmd.run_all', 'echo out; echo err >&2; exit 3', '--out', 'json']);
    const ra = JSON.parse(all.stdout)['web-1'];
    assert.equal(ra.stdout, 'out');
    assert.equal(ra.stderr, 'err');
    assert.equal(ra.retcode, 3);
    assert.equal(typeof ra.pid, 'number');
    const rc = await c.tsalt(['web-1', 'cmd.retcode', 'exit 4', '--out', 'json']);
    assert.equal(JSON.parse(rc.stdout)['web-1'], 4);
    const sh = await c.tsalt(['web-1', 'cmd.run', 'echo $0', 'shell=/bin/bash', '--out', 'json']);
    assert.match(JSON.parse(sh.stdout)['web-1'], /bash/);
    const to = await c.tsalt(['web-1', 'cmd.run', 'sleep 20', 'timeout=1', '--out', 'json']);
    assert.match(JSON.parse(to.stdout)['web-1'], /[Tt]imed out/);
  });

  test(
    'cmd.run runas= runs as that user (when the minion runs as root)',
    { skip: os.userInfo().uid !== 0 && 'needs root' },
    async () => {
      const r = await c.tsalt(['web-1', 'cmd.run', 'id -un', 'runas=nobody', '--out', 'json']);
      assert.equal(JSON.parse(r.stdout)['web-1'], 'nobody');
      const bad = await c.tsalt(['web-1', 'cmd.run', 'id -un', 'runas=no-such-user-x']);
      assert.equal(bad.code, 1);
      assert.match(bad.stdout, /no-such-user-x/);
    },
  );

  test('the bus carries the bare jid, salt/job/<jid>/new and salt/job/<jid>/ret/<id>, each with _stamp', async () => {
    const l = new EventListener({ sockDir: path.join(c.root, 'var/run/tsalt/master') });
    try {
      await l.ready(5000);
      const r = await c.tsalt(['web-1', 'test.ping', '--show-jid']);
      const jid = /jid: (\d{20})/.exec(r.stdout)?.[1];
      assert.ok(jid, r.stdout);
      const seen = new Map<string, Record<string, unknown>>();
      const end = Date.now() + 5000;
      while (Date.now() < end && seen.size < 3) {
        const ev = await l.next(500);
        if (ev && ev.tag.includes(jid)) seen.set(ev.tag, ev.data);
      }
      assert.deepEqual(seen.get(jid)?.['minions'], ['web-1']);
      const neu = seen.get(`salt/job/${jid}/new`);
      assert.equal(neu?.['fun'], 'test.ping');
      assert.deepEqual(neu?.['minions'], ['web-1']);
      const ret = seen.get(`salt/job/${jid}/ret/web-1`);
      assert.equal(ret?.['return'], true);
      assert.equal(ret?.['retcode'], 0);
      assert.equal(ret?.['success'], true);
      assert.equal(ret?.['fun'], 'test.ping');
      assert.deepEqual(ret?.['fun_args'], []);
      for (const d of seen.values()) assert.match(String(d['_stamp']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    } finally {
      l.close();
    }
  });

  test('sys.list_functions, sys.list_modules, sys.doc', async () => {
    const lf = await c.tsalt(['web-1', 'sys.list_functions', 'test', '--out', 'json']);
    const funs: string[] = JSON.parse(lf.stdout)['web-1'];
    assert.ok(funs.includes('test.ping') && funs.includes('test.echo'));
    assert.ok(!funs.includes('cmd.run'));
    const lm = await c.tsalt(['web-1', 'sys.list_modules', '--out', 'json']);
    assert.ok(JSON.parse(lm.stdout)['web-1'].includes('cmd'));
    const doc = await c.tsalt(['web-1', 'sys.doc', 'test.ping', '--out', 'json']);
    assert.match(JSON.parse(doc.stdout)['web-1']['test.ping'], /True/i);
  });

  test("an unknown function gets Salt's message", async () => {
    const r = await c.tsalt(['web-1', 'foo.bar']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /'foo\.bar' is not available\./);
  });

  test('targets: glob, -E pcre, -L list, a bad pcre, no match', async () => {
    const g = await c.tsalt(['web-*', 'test.ping', '--out', 'json', '--static']);
    assert.deepEqual(JSON.parse(g.stdout), { 'web-1': true });
    const e = await c.tsalt(['-E', '(web|db)-1', 'test.ping', '--out', 'json', '--static']);
    assert.deepEqual(JSON.parse(e.stdout), { 'web-1': true, 'db-1': true });
    const l = await c.tsalt(['-L', 'db-1,web-1', 'test.ping', '--out', 'json', '--static']);
    assert.deepEqual(JSON.parse(l.stdout), { 'web-1': true, 'db-1': true });
    const bad = await c.tsalt(['-E', 'web-(', 'test.ping']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /pcre/i);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    const none = await c.tsalt(['nosuch*', 'test.ping']);
    assert.equal(none.code, 2);
    assert.match(none.stdout, /No minions matched the target/);
    assert.match(none.stderr, /ERROR: No return received/);
  });

  test('-v prints the jid; --async prints the job id; lookup_jid finds the results', async () => {
    const v = await c.tsalt(['web-1', 'test.ping', '-v']);
    const jid = /Executing job with jid (\d{20})/.exec(v.stdout)?.[1];
    assert.ok(jid, v.stdout);
    const look = await c.runner(['jobs.lookup_jid', jid, '--out', 'json']);
    assert.equal(look.code, 0, look.stderr);
    assert.deepEqual(JSON.parse(look.stdout), { 'web-1': true });
    const as = await c.tsalt(['web-1', 'test.echo', 'later', '--async']);
    const ajid = /Executed command with job ID: (\d{20})/.exec(as.stdout)?.[1];
    assert.ok(ajid, as.stdout);
  });

  test('a listed minion that does not exist is reported as not returning, exit 2', async () => {
    const r = await c.tsalt(['-L', 'web-1,ghost', 'test.ping', '-t', '1']);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /ghost:\n {4}Minion did not return\. \[No response\]/);
    assert.match(r.stdout, /tsalt-run jobs\.lookup_jid \d{20}/);
  });

  test('--summary counts the minions', async () => {
    const r = await c.tsalt(['*', 'test.ping', '--summary']);
    assert.match(
      r.stdout,
      /# of minions targeted: 2\n# of minions returned: 2\n# of minions that did not return: 0\n# of minions with errors: 0/,
    );
  });

  test('tsalt-call runs locally and prints under local:', async () => {
    const r = await c.call('web-1', ['test.ping']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'local:\n    True\n');
  });

  test('output larger than a pipe buffer (64 KB) reaches a pipe whole', async () => {
    // Three arguments of 60,000 characters: about 180 KB of JSON on stdout, read here through a pipe.
    const big = ['a', 'b', 'c'].map((ch) => ch.repeat(60_000));
    const r = await c.tsalt(['web-1', 'test.arg', ...big, '--out', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout)['web-1'].args, big);
  });
});
