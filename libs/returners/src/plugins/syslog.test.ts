import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@tsalt/core';
import { Registry } from '@tsalt/loader';
import syslog, { rfc3164, syslogSettings } from './syslog.js';

const T = { timeout: 10_000 };
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-syslog-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const reg = (opts: Record<string, unknown>) => new Registry({ kind: 'returner', opts, log: silentLogger() }, [syslog]);
const ret = {
  id: 'm1',
  jid: '20250101000000000001',
  fun: 'test.ping',
  fun_args: [],
  return: true,
  retcode: 0,
  success: true,
};
const hasLogger = ['/usr/bin/logger', '/bin/logger'].some((p) => fs.existsSync(p));

/** Resolves with the first datagram (or stream bytes) received, or rejects after `ms`. */
function first<T>(on: (cb: (v: T) => void) => void, ms = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('nothing received')), ms);
    on((v) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

describe('syslog returner', () => {
  it("settings: Salt defaults, priority names, and Salt's checks", T, () => {
    const s = syslogSettings({});
    assert.equal(s.priority, 'user.info');
    assert.equal(s.tag, 'salt-minion');
    assert.equal(s.facility * 8 + s.level, 14);
    const t = syslogSettings({
      syslog: { level: 'LOG_ERR', facility: 'LOG_DAEMON', tag: 'mysalt', options: ['LOG_PID'] },
    });
    assert.deepEqual([t.priority, t.tag, t.pid], ['daemon.err', 'mysalt', true]);
    assert.equal(
      syslogSettings({ 'syslog.level': 'LOG_ERR' }, { ret_kwargs: { level: 'LOG_DEBUG' } }).priority,
      'user.debug',
    );
    assert.throws(() => syslogSettings({ 'syslog.level': 'LOG_LOUD' }), /LOG_LOUD is not a valid syslog level/);
    assert.throws(() => syslogSettings({ 'syslog.options': ['LOG_FOO'] }), /LOG_FOO is not a valid syslog option/);
    assert.throws(() => syslogSettings({ 'syslog.tag': 'x'.repeat(33) }), /limited to 32/);
  });

  it('rfc3164 lines: priority, space-padded day, host, tag[pid]', T, () => {
    const s = syslogSettings({ 'syslog.options': ['LOG_PID'] });
    const line = rfc3164(s, '{"a":1}', new Date(2025, 2, 5, 7, 8, 9), 'h1');
    assert.equal(line, `<14>Mar  5 07:08:09 h1 salt-minion[${process.pid}]: {"a":1}`);
  });

  it('with syslog.host, the JSON of the return goes over UDP as RFC 3164', T, async () => {
    const srv = dgram.createSocket('udp4');
    await new Promise<void>((r) => srv.bind(0, '127.0.0.1', r));
    try {
      const got = first<Buffer>((cb) => srv.once('message', cb));
      await reg({
        'syslog.host': '127.0.0.1',
        'syslog.port': srv.address().port,
        'syslog.facility': 'LOG_LOCAL3',
      }).call('syslog.returner', [ret]);
      const line = (await got).toString();
      assert.match(line, /^<158>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ salt-minion: /);
      assert.deepEqual(JSON.parse(line.slice(line.indexOf(': ') + 2)), ret);
    } finally {
      srv.close();
    }
  });

  it(
    'locally, through logger to the syslog socket',
    { ...T, skip: hasLogger ? false : 'no logger command' },
    async () => {
      const sock = path.join(root, 'log.sock');
      const got: Buffer[] = [];
      const srv = net.createServer((c) => c.on('data', (d: Buffer) => got.push(d)));
      await new Promise<void>((r) => srv.listen(sock, r));
      try {
        await reg({ 'syslog.socket': sock, 'syslog.tag': 'tsalt-test', 'syslog.options': ['LOG_PID'] }).call(
          'syslog.returner',
          [ret],
        );
        const deadline = Date.now() + 3_000;
        while (!Buffer.concat(got).includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        const line = Buffer.concat(got).toString();
        assert.match(line, new RegExp(`^<14>.* tsalt-test\\[${process.pid}\\]: `));
        assert.deepEqual(JSON.parse(line.slice(line.indexOf(']: ') + 3).trim()), ret);
      } finally {
        srv.close();
      }
    },
  );

  it('no syslog listening: one clear error', { ...T, skip: hasLogger ? false : 'no logger command' }, async () => {
    await assert.rejects(
      reg({ 'syslog.socket': path.join(root, 'nobody.sock') }).call('syslog.returner', [ret]),
      /logger failed .*nobody\.sock/,
    );
  });
});
