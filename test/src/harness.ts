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

/*
 * Ports. A port handed out must not be handed out again, neither in this
 * process nor in the other test process running beside it (run-tests.mjs
 * runs two files at a time, and other checkouts on the same host run theirs).
 * The old way (bind port 0, close, hand out the number) had two holes: the
 * OS may give the same number to the next bind(0), and, the number being in
 * the ephemeral range, any outgoing connection (a minion, a CLI) may take it
 * as its local port before the daemon binds it.
 * So ports come from 20000 up to below Linux's ephemeral range (32768-60999
 * by default, /proc/sys/net/ipv4/ip_local_port_range), where neither bind(0)
 * nor a connect() lands; from a random start, so two processes rarely look at
 * the same numbers; each is claimed with a lock file created exclusively in
 * <tmpdir>/tsalt-test-ports/ (holding our pid; a lock whose pid is gone is
 * stale and taken over) and checked free with a bind; and the numbers this
 * process handed out are kept in a set, never handed out again. Our lock
 * files are removed when the process exits (one killed leaves stale ones).
 * Two processes taking over the same stale lock in the same instant could
 * both get it: with random starts over ~12,000 ports, not worth more machinery.
 */
const PORT_LO = 20000;
const PORT_HI = ((): number => {
  try {
    const low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (low > PORT_LO + 1000) return Math.min(low - 1, 32767);
  } catch {
    // Not Linux: the IANA ephemeral range starts at 49152, so 32767 is below it too.
  }
  return 32767;
})();
const PORT_LOCK_DIR = path.join(os.tmpdir(), 'tsalt-test-ports');
const handedOut = new Set<number>();
let nextPort = PORT_LO + Math.floor(Math.random() * (PORT_HI - PORT_LO + 1));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates the port's lock file; false when another live process holds it. */
function claimPort(port: number): boolean {
  const file = path.join(PORT_LOCK_DIR, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number(fs.readFileSync(file, 'utf8').trim());
    // Half-written (its owner is between create and write) or alive: not ours.
    if (!owner || pidAlive(owner)) return false;
    fs.rmSync(file, { force: true });
  }
  return false;
}

function releasePortLocks(): void {
  for (const port of handedOut) {
    const file = path.join(PORT_LOCK_DIR, String(port));
    try {
      if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.rmSync(file, { force: true });
    } catch {
      // Gone already.
    }
  }
}
process.once('exit', releasePortLocks);

/** Whether nothing listens on 127.0.0.1:`port` (we can bind it). */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A TCP port on 127.0.0.1 that no one listens on and no other test (here or in another process) was given. */
export async function freePort(): Promise<number> {
  fs.mkdirSync(PORT_LOCK_DIR, { recursive: true });
  for (let tries = 0; tries < 500; tries++) {
    const port = nextPort;
    nextPort = nextPort >= PORT_HI ? PORT_LO : nextPort + 1;
    if (handedOut.has(port) || !claimPort(port)) continue;
    handedOut.add(port);
    if (await bindable(port)) return port;
    // Someone outside the tests holds it: leave it to them (our lock goes at exit).
  }
  throw new Error(`no free port in ${PORT_LO}-${PORT_HI} after 500 tries`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The host's first non-loopback interface with an IPv4 address (the seeds' `eth0`), else `lo`. */
export function hostInterface(): string {
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    if (name !== 'lo' && addrs?.some((a) => a.family === 'IPv4' && !a.internal)) return name;
  }
  return 'lo';
}

/** A process a wait can watch: a daemon, or a test's own helper process. */
export interface Watched {
  name: string;
  /** False once the process has exited. */
  running(): boolean;
  /** How it ended (when it has) and its last lines of output, for a failure message. */
  tail(lines?: number): string;
  /** Resolves once its output pipes are closed (all it wrote has been read). */
  outputClosed?: Promise<void>;
}

/** A test's own child process as a Watched, its output from `output`. */
export function watched(name: string, proc: ChildProcess, output: () => string): Watched {
  const outputClosed = new Promise<void>((r) => proc.once('close', () => r()));
  return {
    name,
    running: () => proc.exitCode === null && proc.signalCode === null,
    tail: (n = 30) => {
      const how =
        proc.exitCode === null && proc.signalCode === null ? 'running' : `ended (${proc.exitCode ?? proc.signalCode})`;
      return `${name} ${how}; last lines:\n${lastLines(output(), n)}`;
    },
    outputClosed,
  };
}

export interface WaitOptions {
  /** Processes that must stay up meanwhile: one that exits fails the wait at once, with its last lines. */
  alive?: (Watched | undefined)[];
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err);
}

/**
 * Polls `check` every 50 ms until it returns truthy or `ms` passes; throws
 * with `what` on timeout (with the last lines of the processes in `alive`),
 * or as soon as one of those has exited (after one last check, since a
 * daemon may end right after doing what was awaited).
 */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  ms = 15000,
  o: WaitOptions = {},
): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    const dead = o.alive?.find((d) => d && !d.running());
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (dead) {
      // Its last words may still be in the pipe (bounded: a child of its own may hold the pipe open).
      if (dead.outputClosed) await within(dead.outputClosed, 1000, undefined);
      throw new Error(`${dead.name} exited while waiting for ${what}\n${dead.tail()}`);
    }
    if (Date.now() > end) {
      const tails = (o.alive ?? []).map((d) => (d ? `\n${d.tail(15)}` : '')).join('');
      throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${errorText(last)}` : ''}${tails}`);
    }
    await sleep(50);
  }
}

/**
 * Resolves with what `p` resolves to, or with `onTimeout` after `ms`; the
 * timer is cleared either way, so it never holds the test process.
 */
export async function within<T, U>(p: Promise<T>, ms: number, onTimeout: U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<U>((r) => (timer = setTimeout(() => r(onTimeout), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether 127.0.0.1:`port` accepts a TCP connection (the socket is closed at once). */
export function accepts(port: number, ms = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
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

export interface Daemon extends Watched {
  proc: ChildProcess;
  output: () => string;
  outputClosed: Promise<void>;
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

/** The pids below `pid` (children, theirs, ...), each with its start time, from /proc. */
function descendants(pid: number): { pid: number; start: string }[] {
  const out: { pid: number; start: string }[] = [];
  for (const kid of childPids(pid)) {
    const start = startTime(kid);
    if (start) out.push({ pid: kid, start }, ...descendants(kid));
  }
  return out;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks): tells a pid from a later process that got the same number. */
function startTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

function startDaemon(name: string, bin: string, configDir: string, logFile: string): Daemon {
  const proc = spawn(process.execPath, [bin, '-c', configDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  let ended = false;
  const exited = new Promise<number | null>((r) =>
    proc.on('exit', (code) => {
      ended = true;
      r(code);
    }),
  );
  const outputClosed = new Promise<void>((r) => proc.on('close', () => r()));
  return {
    name,
    proc,
    output: () => out,
    exited,
    outputClosed,
    running: () => !ended,
    tail(n = 30) {
      const how = ended ? `ended (${proc.exitCode ?? proc.signalCode})` : 'running';
      let file = '';
      try {
        file = `\n--- last lines of ${logFile}:\n${lastLines(fs.readFileSync(logFile, 'utf8'), n)}`;
      } catch {
        // No log file (yet).
      }
      return `${name} ${how}; last console lines:\n${lastLines(out, n)}${file}`;
    },
    async stop() {
      if (ended) return;
      // Its own processes (the publisher, job workers) go too if they outlive it.
      const kids = descendants(proc.pid!);
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
      for (const k of kids) {
        if (startTime(k.pid) !== k.start) continue;
        try {
          process.kill(k.pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
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
  /** Starts the master; resolves once publish_port and ret_port accept connections, fails at once if it exits first. */
  startMaster(extraConfig?: string): Promise<Daemon>;
  /**
   * Starts a minion and resolves at once: whether it gets in is up to the
   * test (waitKey, waitPing; a minion is ready when it answers test.ping).
   */
  startMinion(id: string, extraConfig?: string): Promise<Daemon>;
  writeMinionConfig(id: string, extraConfig?: string): string;
  tsalt(args: string[], timeoutMs?: number): Promise<RunResult>;
  key(args: string[]): Promise<RunResult>;
  runner(args: string[]): Promise<RunResult>;
  call(id: string, args: string[]): Promise<RunResult>;
  /** Waits until the minion's key shows up in the given state folder; fails at once if the master or that minion exits. */
  waitKey(id: string, dir: 'minions' | 'minions_pre' | 'minions_rejected' | 'minions_denied'): Promise<void>;
  /**
   * Waits until `tsalt <id> test.ping` returns True: the minion is
   * authenticated and hears publishes. Fails at once if the master or that minion exits.
   */
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
      const d = startDaemon('tsalt-master', BIN.master, masterDir, path.join(root, 'var/log/tsalt/master'));
      c.master = d;
      // Bound in this order at start-up: the event bus, publish_port, ret_port. Both ports
      // accepting means the master serves; the reactor may still be starting (tests that
      // need it wait for 'tsalt-master started').
      await waitFor(
        `tsalt-master to accept connections on publish_port ${ports.publish} and ret_port ${ports.ret}`,
        async () => (await accepts(ports.publish)) && (await accepts(ports.ret)),
        20_000,
        { alive: [d] },
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
    startMinion(id, extra = '') {
      const dir = c.writeMinionConfig(id, extra);
      const d = startDaemon(
        `tsalt-minion ${id}`,
        BIN.minion,
        dir,
        path.join(root, 'minions', id, 'var/log/tsalt/minion'),
      );
      minions.set(id, d);
      return Promise.resolve(d);
    },
    tsalt: (args, timeoutMs) => run(BIN.tsalt, ['-c', masterDir, ...args], { timeoutMs: timeoutMs ?? 30000 }),
    key: (args) => run(BIN.key, ['-c', masterDir, ...args]),
    runner: (args) => run(BIN.run, ['-c', masterDir, ...args]),
    call: (id, args) => run(BIN.call, ['-c', c.minionDir(id), ...args]),
    async waitKey(id, dir) {
      await waitFor(`key ${id} in ${dir}`, () => fs.existsSync(c.pki(dir, id)), 15_000, {
        alive: [c.master, minions.get(id)],
      });
    },
    async waitPing(id) {
      await waitFor(
        `${id} to answer test.ping`,
        async () => {
          const r = await c.tsalt(['-t', '2', id, 'test.ping', '--out', 'json', '--static']);
          return r.code === 0 && (JSON.parse(r.stdout) as Record<string, unknown>)[id] === true;
        },
        20000,
        { alive: [c.master, minions.get(id)] },
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

/**
 * The common set-up: a master with `auto_accept` (plus `masterExtra`) and
 * the given minions, started and each answering test.ping.
 */
export async function startedCluster(ids: readonly string[], masterExtra = ''): Promise<Cluster> {
  const c = await cluster(`auto_accept: True\n${masterExtra}`);
  await c.startMaster();
  for (const id of ids) await c.startMinion(id);
  for (const id of ids) await c.waitPing(id);
  return c;
}
