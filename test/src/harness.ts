import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repo root, from test/dist/harness.js. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = {
  master: path.join(REPO, 'apps/master/dist/bin/tsalt-master.js'),
  minion: path.join(REPO, 'apps/minion/dist/bin/tsalt-minion.js'),
  tsalt: path.join(REPO, 'apps/cli/dist/bundle/tsalt.cjs'),
  run: path.join(REPO, 'apps/cli/dist/bundle/tsalt-run.cjs'),
  key: path.join(REPO, 'apps/cli/dist/bundle/tsalt-key.cjs'),
  call: path.join(REPO, 'apps/cli/dist/bundle/tsalt-call.cjs'),
  swarm: path.join(REPO, 'apps/minion/dist/bin/tsalt-swarm.js'),
} as const;

/** A free TCP port on 127.0.0.1, as the OS hands one out. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 50 ms until it returns truthy or `ms` passes; throws with `what` on timeout. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, ms = 15000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end)
      throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(50);
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a CLI to completion with a bound on its run time. */
export function run(
  bin: string,
  args: string[],
  opts: { timeoutMs?: number; input?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${path.basename(bin)} ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 30000} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, opts.timeoutMs ?? 30000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

export interface Daemon {
  proc: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

function startDaemon(bin: string, configDir: string, extra: string[] = []): Daemon {
  const proc = spawn(process.execPath, [bin, '-c', configDir, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return {
    proc,
    output: () => out,
    exited,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

export interface Cluster {
  root: string;
  masterDir: string;
  ports: { publish: number; ret: number };
  master: Daemon | undefined;
  minions: Map<string, Daemon>;
  minionDir(id: string): string;
  startMaster(extraConfig?: string): Promise<Daemon>;
  startMinion(id: string, extraConfig?: string): Promise<Daemon>;
  writeMinionConfig(id: string, extraConfig?: string): string;
  tsalt(args: string[], timeoutMs?: number): Promise<RunResult>;
  key(args: string[]): Promise<RunResult>;
  runner(args: string[]): Promise<RunResult>;
  call(id: string, args: string[]): Promise<RunResult>;
  /** Waits until the minion's key shows up in the given state folder. */
  waitKey(id: string, dir: 'minions' | 'minions_pre' | 'minions_rejected' | 'minions_denied'): Promise<void>;
  /** Waits until `tsalt <id> test.ping` returns True. */
  waitPing(id: string): Promise<void>;
  pki(...parts: string[]): string;
  cleanup(): Promise<void>;
}

/**
 * A master and its minions on 127.0.0.1, on free ports, all under one temp
 * root_dir. Timers are short (s) so tests do not wait on Salt's defaults.
 */
export async function cluster(masterExtra = ''): Promise<Cluster> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-t-'));
  const masterDir = path.join(root, 'etc', 'master');
  fs.mkdirSync(masterDir, { recursive: true });
  const ports = { publish: await freePort(), ret: await freePort() };
  const minions = new Map<string, Daemon>();
  const c: Cluster = {
    root,
    masterDir,
    ports,
    master: undefined,
    minions,
    minionDir: (id) => path.join(root, 'etc', `minion-${id}`),
    pki: (...parts) => path.join(root, 'etc', 'tsalt', 'pki', 'master', ...parts),
    async startMaster(extra = masterExtra) {
      fs.writeFileSync(
        path.join(masterDir, 'master'),
        `root_dir: ${root}\ninterface: 127.0.0.1\npublish_port: ${ports.publish}\nret_port: ${ports.ret}\nloop_interval: 1\nlog_level: info\n${extra}\n`,
      );
      const d = startDaemon(BIN.master, masterDir);
      c.master = d;
      await waitFor(
        'master to write its root key',
        () =>
          fs.existsSync(path.join(root, 'var/cache/tsalt/master/.root_key')) &&
          fs.existsSync(path.join(root, 'var/run/tsalt/master/master_event_pull.ipc')),
      );
      return d;
    },
    writeMinionConfig(id, extra = '') {
      const dir = c.minionDir(id);
      fs.mkdirSync(dir, { recursive: true });
      const mroot = path.join(root, 'minions', id);
      fs.writeFileSync(
        path.join(dir, 'minion'),
        `${/^id:/m.test(extra) ? '' : `id: ${JSON.stringify(id)}\n`}root_dir: ${mroot}\nmaster: 127.0.0.1\nmaster_port: ${ports.ret}\npublish_port: ${ports.publish}\n` +
          `acceptance_wait_time: 1\nrandom_reauth_delay: 1\nrecon_default: 100\nrecon_max: 1000\nauth_timeout: 3\nlog_level: info\n${extra}\n`,
      );
      return dir;
    },
    async startMinion(id, extra = '') {
      const dir = c.writeMinionConfig(id, extra);
      const d = startDaemon(BIN.minion, dir);
      minions.set(id, d);
      return d;
    },
    tsalt: (args, timeoutMs) => run(BIN.tsalt, ['-c', masterDir, ...args], { timeoutMs: timeoutMs ?? 30000 }),
    key: (args) => run(BIN.key, ['-c', masterDir, ...args]),
    runner: (args) => run(BIN.run, ['-c', masterDir, ...args]),
    call: (id, args) => run(BIN.call, ['-c', c.minionDir(id), ...args]),
    async waitKey(id, dir) {
      await waitFor(`key ${id} in ${dir}`, () => fs.existsSync(c.pki(dir, id)));
    },
    async waitPing(id) {
      await waitFor(
        `${id} to answer test.ping`,
        async () => {
          const r = await c.tsalt(['-t', '2', id, 'test.ping', '--out', 'json', '--static']);
          return r.code === 0 && JSON.parse(r.stdout)[id] === true;
        },
        20000,
      );
    },
    async cleanup() {
      await Promise.all([...minions.values()].map((m) => m.stop()));
      await c.master?.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  return c;
}

/**
 * The swarm's key cache shared by every run (tests and `npm run bench`): ids
 * swarm-1..swarm-N keep their keys here, so a 2048-bit key (~250 ms CPU) is
 * made once per checkout, not once per test.
 */
export const SWARM_KEY_DIR = path.join(REPO, 'node_modules/.cache/tsalt/swarm-pki/swarm');

/** The pids whose parent is `pid`, from /proc (no procps needed). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name is in parentheses and may hold spaces: the ppid is the 2nd field after it.
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // Ended while we looked.
    }
  }
  return out.sort((a, b) => a - b);
}

export interface SwarmOptions {
  minions: number;
  /** Swarm processes (--processes); 2 unless given. */
  processes?: number;
  /** Extra lines for the swarm's minion config. */
  extraConfig?: string;
  /** Where a few progress lines go (key generation can take minutes on a fresh checkout); none when omitted. */
  echo?: (line: string) => void;
}

export interface Swarm {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Resolves once tsalt-swarm printed `all N minions authenticated`; throws if it ends first or `ms` passes. */
  authenticated(ms: number): Promise<void>;
  /** SIGTERM, then SIGKILL to it and its processes after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** How often a progress line of the swarm is passed to `echo` at most (ms), besides the notable ones. */
const SWARM_ECHO_EVERY_MS = 10_000;

/**
 * tsalt-swarm against the cluster's master: ids swarm-1..swarm-N with keys
 * from SWARM_KEY_DIR, its minion config in <root>/etc/swarm, its root_dir
 * <root>/swarm. Timers are short (s), as for the harness's minions.
 */
export function startSwarm(c: Cluster, o: SwarmOptions): Swarm {
  const dir = path.join(c.root, 'etc', 'swarm');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'minion'),
    `root_dir: ${path.join(c.root, 'swarm')}\nmaster: 127.0.0.1\nmaster_port: ${c.ports.ret}\npublish_port: ${c.ports.publish}\n` +
      `acceptance_wait_time: 1\nrecon_default: 100\nrecon_max: 1000\nlog_level: warning\n${o.extraConfig ?? ''}\n`,
  );
  const args = [
    BIN.swarm,
    '-c',
    dir,
    '--minions',
    String(o.minions),
    '--processes',
    String(o.processes ?? 2),
    '--key-dir',
    SWARM_KEY_DIR,
  ];
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  let partial = '';
  let lastEcho = 0;
  const echoLine = (line: string): void => {
    if (!o.echo || !line.startsWith('tsalt-swarm:')) return;
    const notable = /\ball \d+ minions|ended|stopp|refused/.test(line);
    if (!notable && Date.now() - lastEcho < SWARM_ECHO_EVERY_MS) return;
    lastEcho = Date.now();
    o.echo(line);
  };
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) echoLine(l);
  });
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const running = (): boolean => proc.exitCode === null && proc.signalCode === null;
  return {
    proc,
    output: () => out,
    exited,
    async authenticated(ms) {
      const done = new RegExp(`tsalt-swarm: all ${o.minions} minions authenticated`);
      const end = Date.now() + ms;
      // Not waitFor: a swarm that ended must fail at once, not after `ms`.
      while (!done.test(out)) {
        if (!running())
          throw new Error(
            `tsalt-swarm ended (${proc.exitCode ?? proc.signalCode}) before all ${o.minions} minions authenticated:\n${out.slice(-4000)}`,
          );
        if (Date.now() > end)
          throw new Error(
            `timed out after ${ms} ms waiting for all ${o.minions} swarm minions to authenticate:\n${out.slice(-4000)}`,
          );
        await sleep(100);
      }
      const refused = /all \d+ minions authenticated in [\d.]+ s \((\d+) refused\)/.exec(out);
      if (refused) throw new Error(`${refused[1]} swarm minions were refused:\n${out.slice(-4000)}`);
    },
    async stop(graceMs = 15_000) {
      if (!running()) return;
      const kids = childPids(proc.pid!);
      proc.kill('SIGTERM');
      const t = setTimeout(() => {
        for (const pid of kids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
        proc.kill('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}
