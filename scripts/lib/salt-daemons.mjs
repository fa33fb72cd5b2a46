// Real Salt 3006.8 for the bench (section `salt-peer`): its daemons and CLI
// from ../shared/salt-3006.8 through ../shared/salt-peer/salt.sh, each daemon
// in a process group of its own so a stop ends the processes it forked
// (salt-master is many processes; salt-minion forks one per job). Every
// group started here is also killed if the bench is interrupted or exits.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, root, sleep } from './local.mjs';
import { msSince } from './measure.mjs';

export const SALT_SRC = path.join(root, '..', 'shared', 'salt-3006.8');
export const SALT_PEER = path.join(root, '..', 'shared', 'salt-peer');
export const SALT_SH = path.join(SALT_PEER, 'salt.sh');
/** The Python salt.sh runs Salt with, and the path it gives it (for scripts that import salt). */
export const SALT_PY = '/usr/bin/python3';
export const SALT_PYTHONPATH = `${SALT_SRC}:${path.join(SALT_PEER, 'shim')}`;

/** How long a group may take to exit after SIGTERM before SIGKILL (ms). */
const STOP_WAIT_MS = 10_000;
/** Bytes of a daemon's output kept for error messages. */
const TAIL_BYTES = 4000;
/** How long a salt-master may take to bind its ports and event bus (ms): 5-10 s on an idle machine. */
const SALT_MASTER_MS = 60_000;

/** Why Salt cannot run here (one line), or undefined when it can. */
export function saltSkipReason() {
  if (!fs.existsSync(path.join(SALT_SRC, 'salt'))) return `real Salt 3006.8 is not at ${SALT_SRC}`;
  if (!fs.existsSync(SALT_SH)) return `${SALT_SH} is missing`;
  const r = spawnSync(SALT_SH, ['salt', '--version'], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) return `salt.sh salt --version failed: ${(r.stderr || r.stdout || `exit ${r.status}`).trim()}`;
  return undefined;
}

/** Group leaders alive now: killed at once on SIGINT/SIGTERM or exit of the bench. */
const live = new Set();
/** Other processes (a tsalt-master, not in a group of its own) to SIGTERM then. */
const alsoStop = new Set();
/** Temp dirs to remove then. */
const dirs = new Set();
const killGroup = (pid, sig) => {
  try {
    process.kill(-pid, sig);
    return true;
  } catch {
    return false; // no process left in the group
  }
};
let guarded = false;
function guard() {
  if (guarded) return;
  guarded = true;
  const killAll = () => {
    for (const pid of live) killGroup(pid, 'SIGKILL');
    for (const proc of alsoStop) proc.kill('SIGTERM');
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'])
    process.once(sig, () => {
      console.log(`bench: ${sig}: stopping the daemons it started`);
      killAll();
      process.exit(130);
    });
}

/** Also removes `dir` if the bench is interrupted or exits (a finally does not run then). */
export function removeOnExit(dir) {
  guard();
  dirs.add(dir);
}

/** Also SIGTERMs `proc` (a child process) if the bench is interrupted or exits; call the result once it is stopped. */
export function stopOnExit(proc) {
  guard();
  alsoStop.add(proc);
  return () => alsoStop.delete(proc);
}

/** True while any process of the group led by pid is left (a zombie leader not yet reaped counts). */
const groupAlive = (pid) => killGroup(pid, 0);

/**
 * Starts `cmd args` as the leader of a new process group. Returns { proc,
 * tail(), seen(), stop() }: seen() is true once its output matched `watch`;
 * stop sends SIGTERM to the group, SIGKILL after STOP_WAIT_MS, and resolves
 * when no process of the group is left.
 */
export function startGroup(cmd, args, { env, watch } = {}) {
  guard();
  const proc = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  live.add(proc.pid);
  let out = '';
  let matched = false;
  const keep = (b) => {
    out = (out + b.toString('utf8')).slice(-TAIL_BYTES);
    if (watch && !matched) matched = watch.test(out);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const stop = async () => {
    killGroup(proc.pid, 'SIGTERM');
    const t0 = process.hrtime.bigint();
    while (groupAlive(proc.pid) && msSince(t0) < STOP_WAIT_MS) await sleep(100);
    if (groupAlive(proc.pid)) {
      console.log(
        `${path.basename(cmd)} ${args.slice(0, 3).join(' ')}: still running ${STOP_WAIT_MS / 1000} s after SIGTERM: SIGKILL`,
      );
      killGroup(proc.pid, 'SIGKILL');
    }
    while (groupAlive(proc.pid) && msSince(t0) < STOP_WAIT_MS + 5000) await sleep(100);
    live.delete(proc.pid);
  };
  return { proc, tail: () => out, seen: () => matched, stop };
}

/** A Salt daemon (salt-master, salt-minion) in the foreground, reading DIR/<name>, logging at `level` to stderr. */
export const startSalt = (name, dir, { level = 'warning', watch } = {}) =>
  startGroup(SALT_SH, [name, '-c', dir, '-l', level], { watch });

/**
 * What a salt-minion logs at info once it has signed in, connected to the
 * publisher and sent its start event: from then on it receives jobs.
 */
export const MINION_READY = /Minion is ready to receive requests!/;

/** Salt's config keys that put every file of a daemon under `dir`. */
const underDir = (dir, daemon) => [
  `root_dir: ${dir}`,
  `pki_dir: ${dir}/pki`,
  `cachedir: ${dir}/cache`,
  `sock_dir: ${dir}/sock`,
  `pidfile: ${dir}/${daemon}.pid`,
  `log_file: ${dir}/${daemon}.log`,
  `extension_modules: ${dir}/extmods`,
  'user: root',
];

/** DIR/minion for a real salt-minion pointed at a master on 127.0.0.1; every path under dir. */
export function writeMinionConfig(dir, id, { pub, ret }) {
  fs.mkdirSync(dir, { recursive: true });
  const lines = [
    `id: ${id}`,
    'master: 127.0.0.1',
    `master_port: ${ret}`,
    `publish_port: ${pub}`,
    ...underDir(dir, 'salt-minion'),
    // Retry sign-in every second, as the interop tests do, so start-up is not 10 s steps.
    'acceptance_wait_time: 1',
    'random_reauth_delay: 1',
    'auth_timeout: 5',
  ];
  fs.writeFileSync(path.join(dir, 'minion'), `${lines.join('\n')}\n`);
}

/** DIR/master for a real salt-master on 127.0.0.1 with Salt's defaults otherwise (worker_threads 5). */
export function writeMasterConfig(dir, { pub, ret }) {
  fs.mkdirSync(dir, { recursive: true });
  const lines = [
    'interface: 127.0.0.1',
    `publish_port: ${pub}`,
    `ret_port: ${ret}`,
    ...underDir(dir, 'salt-master'),
    'auto_accept: True',
  ];
  fs.writeFileSync(path.join(dir, 'master'), `${lines.join('\n')}\n`);
}

/**
 * A salt-master reading DIR/master (writeMasterConfig on two free ports, then
 * `extra` YAML lines), logging at `level`; `beforeStart(pkiDir)` may fill its
 * pki_dir first. Not waited for: see waitSaltMaster. Returns { dir, ports, master }.
 */
export async function startSaltMaster(dir, { extra = '', level, beforeStart } = {}) {
  const ports = { pub: await freePort(), ret: await freePort() };
  writeMasterConfig(dir, ports);
  if (extra) fs.appendFileSync(path.join(dir, 'master'), extra);
  beforeStart?.(path.join(dir, 'pki'));
  return { dir, ports, master: startSalt('salt-master', dir, { level }) };
}

/** Until the salt-master of startSaltMaster takes connections on both ports and has made its event bus socket. */
export const waitSaltMaster = (dir, ports, master) =>
  waitUntil(
    'salt-master to bind its ports and event bus',
    async () =>
      (await tcpOpen(ports.ret)) &&
      (await tcpOpen(ports.pub)) &&
      fs.existsSync(path.join(dir, 'sock', 'master_event_pub.ipc')),
    SALT_MASTER_MS,
    master,
  );

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function tcpOpen(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/** Polls check() every 200 ms until truthy; throws naming `what` after ms, or when `daemon` ends first. */
export async function waitUntil(what, check, ms, daemon) {
  const t0 = process.hrtime.bigint();
  for (;;) {
    if (await check()) return;
    const p = daemon?.proc;
    if (p && (p.exitCode !== null || p.signalCode !== null))
      throw new Error(`${what}: the daemon ended (${p.signalCode ?? `exit ${p.exitCode}`}): ${daemon.tail().trim()}`);
    if (msSince(t0) > ms) throw new Error(`${what}: not within ${ms / 1000} s`);
    await sleep(200);
  }
}
