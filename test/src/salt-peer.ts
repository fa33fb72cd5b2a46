import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { accepts, freePort, REPO, sleep, waitFor as harnessWaitFor } from './harness.js';

/**
 * Real Salt 3006.8 as a peer for interop tests: its daemons and CLI run from
 * `<repo>/../shared/salt-3006.8` through `../shared/salt-peer/salt.sh`. Every
 * process is started in a process group of its own, so a stop ends its
 * children too (salt-minion forks a process manager, tsalt-minion job workers).
 */

export const SALT_SH = path.join(REPO, '..', 'shared', 'salt-peer', 'salt.sh');
const SALT_SRC = path.join(REPO, '..', 'shared', 'salt-3006.8');

export const TSALT = {
  master: path.join(REPO, 'apps/master/dist/bin/tsalt-master.js'),
  minion: path.join(REPO, 'apps/minion/dist/bin/tsalt-minion.js'),
  tsalt: path.join(REPO, 'apps/cli/dist/bundle/tsalt.cjs'),
  run: path.join(REPO, 'apps/cli/dist/bundle/tsalt-run.cjs'),
  key: path.join(REPO, 'apps/cli/dist/bundle/tsalt-key.cjs'),
  call: path.join(REPO, 'apps/cli/dist/bundle/tsalt-call.cjs'),
} as const;

/** Why the interop tests cannot run here, or undefined when they can. */
export function saltSkipReason(): string | undefined {
  if (!fs.existsSync(path.join(SALT_SRC, 'salt'))) return `real Salt 3006.8 is not at ${SALT_SRC}`;
  if (!fs.existsSync(SALT_SH)) return `${SALT_SH} is missing`;
  return undefined;
}

export function tempRoot(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// The ports, waits and repo root are the harness's, so interop tests draw from the same port pool.
export { freePort, REPO, sleep };

/** True when something accepts TCP connections on 127.0.0.1:port (a bound ZeroMQ socket does). */
export const tcpOpen = (port: number): Promise<boolean> => accepts(port);

/** The harness's bounded wait; Salt daemons are slow to start, so 30 s unless told. */
export function waitFor<T>(what: string, check: () => T | Promise<T>, ms = 30_000): Promise<NonNullable<T>> {
  return harnessWaitFor(what, check, ms);
}

export interface Proc {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Sends `sig` to the whole process group of `child`; a group already gone is fine. */
function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // Already exited.
  }
}

/** Starts a long-running process in its own group; stop() ends the group (SIGTERM, then SIGKILL after 5 s). */
export function startProc(cmd: string, args: string[]): Proc {
  const child = spawn(cmd, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return {
    child,
    output: () => out,
    async stop() {
      killGroup(child, 'SIGTERM');
      const t = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
      // Children that outlive their parent (salt-minion's process manager) go too.
      killGroup(child, 'SIGKILL');
    },
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, in its own group, killed (with its children) after `timeoutMs`. */
export function runProc(cmd: string, args: string[], timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(
        new Error(`${path.basename(cmd)} ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A Salt command (salt, salt-run, salt-key, ...) through salt.sh. */
export function salt(cmd: string, args: string[], timeoutMs?: number): Promise<RunResult> {
  return runProc(SALT_SH, [cmd, ...args], timeoutMs);
}

/** A tsalt CLI bundle or daemon script, run with this Node. */
export function tsaltRun(bin: string, args: string[], timeoutMs?: number): Promise<RunResult> {
  return runProc(process.execPath, [bin, ...args], timeoutMs);
}

/** The config of a real salt-minion, every path under `dir`, pointed at a master on 127.0.0.1. */
export function writeSaltMinionConfig(dir: string, id: string, ports: { publish: number; ret: number }): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'minion'),
    [
      `id: ${id}`,
      'master: 127.0.0.1',
      `master_port: ${ports.ret}`,
      `publish_port: ${ports.publish}`,
      `root_dir: ${dir}`,
      `pki_dir: ${dir}/pki`,
      `cachedir: ${dir}/cache`,
      `sock_dir: ${dir}/sock`,
      `pidfile: ${dir}/salt-minion.pid`,
      `log_file: ${dir}/minion.log`,
      `user: ${os.userInfo().username}`,
      'acceptance_wait_time: 1',
      'random_reauth_delay: 1',
      'auth_timeout: 5',
      '',
    ].join('\n'),
  );
}

/** The config of a real salt-master, every path under `dir`, auto-accepting keys. */
export function writeSaltMasterConfig(dir: string, ports: { publish: number; ret: number }): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'master'),
    [
      'interface: 127.0.0.1',
      `publish_port: ${ports.publish}`,
      `ret_port: ${ports.ret}`,
      `root_dir: ${dir}`,
      `pki_dir: ${dir}/pki`,
      `cachedir: ${dir}/cache`,
      `sock_dir: ${dir}/sock`,
      `pidfile: ${dir}/salt-master.pid`,
      `log_file: ${dir}/master.log`,
      `user: ${os.userInfo().username}`,
      'auto_accept: true',
      'worker_threads: 2',
      '',
    ].join('\n'),
  );
}

/** Starts a real salt-master from `dir` (see writeSaltMasterConfig) and waits until it serves its request port. */
export async function startSaltMaster(dir: string, retPort: number): Promise<Proc> {
  const master = startProc(SALT_SH, ['salt-master', '-c', dir, '-l', 'info']);
  await waitFor(
    'salt-master to bind its ports',
    async () => fs.existsSync(path.join(dir, 'sock', 'workers.ipc')) && (await tcpOpen(retPort)),
    60_000,
  );
  return master;
}

/**
 * A tsalt-master with its config in `<root>/etc/master` (root_dir `root`, 127.0.0.1, `ports`, `extra`
 * appended); resolves once it logged that it started. Returns its config folder and process.
 */
export async function startTsaltMaster(
  root: string,
  ports: { publish: number; ret: number },
  extra: string,
): Promise<{ dir: string; proc: Proc }> {
  const dir = path.join(root, 'etc', 'master');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'master'),
    `root_dir: ${root}\ninterface: 127.0.0.1\npublish_port: ${ports.publish}\nret_port: ${ports.ret}\n` +
      `loop_interval: 1\nlog_level: info\n${extra}\n`,
  );
  const proc = startProc(process.execPath, [TSALT.master, '-c', dir]);
  await waitFor('tsalt-master to start', () => proc.output().includes('tsalt-master started'), 20_000);
  return { dir, proc };
}

/**
 * The config of a tsalt-minion under `<root>/ts`, pointed at a (Salt) master on 127.0.0.1 with
 * short retry timers (s); `extra` is appended. Returns its config folder.
 */
export function writeTsaltMinionConfig(
  root: string,
  id: string,
  ports: { publish: number; ret: number },
  extra: string,
): string {
  const dir = path.join(root, 'etc', 'minion');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'minion'),
    `id: ${id}\nroot_dir: ${path.join(root, 'ts')}\nmaster: 127.0.0.1\nmaster_port: ${ports.ret}\n` +
      `publish_port: ${ports.publish}\nacceptance_wait_time: 1\nrandom_reauth_delay: 1\nauth_timeout: 5\n${extra}`,
  );
  return dir;
}

/** Parses the JSON that `salt --out json` / `tsalt --out json` print (one object per minion, merged). */
export function parseJsonOut(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Salt prints one pretty-printed object per minion; each starts at a line "{".
  for (const chunk of text.split(/^(?=\{)/m)) {
    const t = chunk.trim();
    if (!t) continue;
    Object.assign(out, JSON.parse(t) as Record<string, unknown>);
  }
  return out;
}
