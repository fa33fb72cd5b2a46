#!/usr/bin/env node
// The tsalt demo: a master and two minions on 127.0.0.1, in a temporary
// root_dir, keys accepted with tsalt-key, then the first commands every Salt
// user runs, and a state applied from the master's file server. Everything
// it starts is stopped at the end.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, freePort, root, sleep } from './lib/local.mjs';

if (!fs.existsSync(bin('cli', 'tsalt'))) {
  console.error('tsalt is not built yet: run `npm ci && npm run build` first');
  process.exit(1);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-demo-'));
const [pub, ret] = [await freePort(), await freePort()];
const conf = path.join(tmp, 'etc', 'tsalt');
fs.mkdirSync(conf, { recursive: true });
// A one-SLS state tree: each minion gets a motd from a Jinja template, under its own root_dir.
const srv = path.join(tmp, 'srv', 'salt');
fs.mkdirSync(path.join(srv, 'demo'), { recursive: true });
fs.writeFileSync(
  path.join(srv, 'demo', 'init.sls'),
  `motd:\n  file.managed:\n    - name: ${tmp}/{{ grains['id'] }}/motd\n    - source: salt://demo/motd.jinja\n    - template: jinja\n`,
);
fs.writeFileSync(path.join(srv, 'demo', 'motd.jinja'), "Welcome to {{ grains['id'] }}, managed by tsalt.\n");
fs.writeFileSync(
  path.join(conf, 'master'),
  `root_dir: ${tmp}\ninterface: 127.0.0.1\npublish_port: ${pub}\nret_port: ${ret}\nfile_roots:\n  base:\n    - ${srv}\n`,
);
const procs = [];
const start = (app, name, dir) => {
  const p = spawn(process.execPath, [bin(app, name), '-c', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  procs.push(p);
  return p;
};
const show = (title, app, name, args) => {
  console.log(`\n$ ${name} ${args.map((a) => (/[\s*']/.test(a) ? `'${a}'` : a)).join(' ')}`);
  const r = spawnSync(process.execPath, [bin(app, name), '-c', conf, ...args], { encoding: 'utf8' });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  return r.stdout;
};
const stopAll = async () => {
  for (const p of procs) p.kill('SIGTERM');
  await sleep(300);
  fs.rmSync(tmp, { recursive: true, force: true });
};
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));

try {
  console.log(`root_dir: ${tmp}`);
  start('master', 'tsalt-master', conf);
  for (const id of ['web-1', 'web-2']) {
    const dir = path.join(tmp, 'etc', id);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'minion'),
      `id: ${id}\nroot_dir: ${path.join(tmp, id)}\nmaster: 127.0.0.1\nmaster_port: ${ret}\npublish_port: ${pub}\nacceptance_wait_time: 1\n`,
    );
    start('minion', 'tsalt-minion', dir);
  }
  const pre = path.join(tmp, 'etc/tsalt/pki/master/minions_pre');
  for (let i = 0; i < 100 && !(fs.existsSync(pre) && fs.readdirSync(pre).length === 2); i++) await sleep(100);
  show('pending keys', 'cli', 'tsalt-key', ['-L']);
  show('accept', 'cli', 'tsalt-key', ['-A', '-y']);
  // The minions retry every acceptance_wait_time (1 s here) until accepted.
  for (let i = 0; i < 50; i++) {
    const r = spawnSync(
      process.execPath,
      [bin('cli', 'tsalt'), '-c', conf, '*', 'test.ping', '--out', 'json', '--static', '-t', '1'],
      { encoding: 'utf8' },
    );
    if (r.status === 0 && Object.keys(JSON.parse(r.stdout)).length === 2) break;
    await sleep(200);
  }
  show('ping', 'cli', 'tsalt', ['*', 'test.ping']);
  const out = show('uname', 'cli', 'tsalt', ['*', 'cmd.run', 'uname -a', '-v']);
  const jid = /jid (\d{20})/.exec(out)?.[1];
  if (jid) show('lookup', 'cli', 'tsalt-run', ['jobs.lookup_jid', jid]);
  show('state test', 'cli', 'tsalt', ['web-1', 'state.apply', 'demo', 'test=True']);
  show('state', 'cli', 'tsalt', ['*', 'state.apply', 'demo', '--state-output=terse']);
  show('state again', 'cli', 'tsalt', ['web-1', 'state.apply', 'demo']);
  console.log('\ndemo finished: stopping the master and minions');
} finally {
  await stopAll();
}
