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
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(50);
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a CLI to completion with a bound on its run time. */
export function run(bin: string, args: string[], opts: { timeoutMs?: number; input?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(bin)} ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 30000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
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
  const proc = spawn(process.execPath, [bin, '-c', configDir, ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
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
      await waitFor('master to write its root key', () => fs.existsSync(path.join(root, 'var/cache/tsalt/master/.root_key')) && fs.existsSync(path.join(root, 'var/run/tsalt/master/master_event_pull.ipc')));
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
      await waitFor(`${id} to answer test.ping`, async () => {
        const r = await c.tsalt(['-t', '2', id, 'test.ping', '--out', 'json', '--static']);
        return r.code === 0 && JSON.parse(r.stdout)[id] === true;
      }, 20000);
    },
    async cleanup() {
      await Promise.all([...minions.values()].map((m) => m.stop()));
      await c.master?.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  return c;
}
