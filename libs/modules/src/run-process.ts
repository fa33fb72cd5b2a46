import { spawn, type SpawnOptions } from 'node:child_process';
import os from 'node:os';
import { ModuleError } from './errors.js';
import { pyStrCommand } from './shlex.js';

/** What to run: a resolved argv and everything the child needs. */
export interface ProcessSpec {
  /** The program and its arguments (for a shell: `[shell, '-c', cmd]`). */
  argv: readonly string[];
  cwd: string;
  /** The complete child environment. */
  env: Record<string, string>;
  /** Written to the child's stdin, then closed; null gives /dev/null. */
  stdin: string | null;
  uid?: number;
  gid?: number;
  /** Octal umask for the child, applied by the wrapper shell. */
  umask?: number;
  /** Kill the whole process group after this long (ms); null for none. */
  timeoutMs: number | null;
  /** One pipe for stdout and stderr, so lines keep the order the OS wrote them. */
  mergeStderr: boolean;
  /** Decoding of the output. @default utf8 */
  encoding?: BufferEncoding;
  /** The job this child belongs to, so a job kill can find it. */
  jid?: string;
}

export interface ProcessResult {
  pid: number;
  /** Exit code, or 128+signal number when a signal ended it (as a shell reports it). */
  retcode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Live children by pid (= process group id, as each leads its own group) and their jid. */
const live = new Map<number, string | undefined>();

/**
 * Signals the process group of every running child of `jid` (or of every
 * child when `jid` is undefined) and returns their pids. A minion calls this
 * for `saltutil.kill_job` so grandchildren die with the command.
 */
export function killJobProcesses(jid?: string, signal: NodeJS.Signals = 'SIGKILL'): number[] {
  const hit: number[] = [];
  for (const [pid, owner] of live) {
    if (jid !== undefined && owner !== jid) continue;
    if (killGroup(pid, signal)) hit.push(pid);
  }
  return hit;
}

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

/**
 * Node cannot give one pipe to two fds, and cannot set a child's umask, so
 * when either is needed a POSIX shell sets them up and then `exec`s the real
 * program: no extra process stays around and the pid is the program's.
 */
function wrap(spec: ProcessSpec): string[] {
  const prelude: string[] = [];
  if (spec.umask !== undefined) prelude.push(`umask ${spec.umask.toString(8).padStart(3, '0')}`);
  if (!spec.mergeStderr && prelude.length === 0) return [...spec.argv];
  const script = `${prelude.map((p) => `${p} && `).join('')}exec "$@"${spec.mergeStderr ? ' 2>&1' : ''}`;
  return ['/bin/sh', '-c', script, 'sh', ...spec.argv];
}

function signalNumber(name: NodeJS.Signals | null): number {
  if (!name) return 0;
  return (os.constants.signals as Record<string, number | undefined>)[name] ?? 0;
}

/**
 * Runs one child in its own process group (detached: a new session), feeds
 * stdin, collects output until every pipe closes (as Python's communicate()
 * does), and on timeout kills the whole group.
 */
export function runProcess(spec: ProcessSpec): Promise<ProcessResult> {
  const [file, ...args] = wrap(spec);
  if (!file) return Promise.reject(new ModuleError('CMD_SPAWN_FAILED', 'Unable to run an empty command'));
  const options: SpawnOptions = {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: [spec.stdin === null ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  };
  if (spec.uid !== undefined) options.uid = spec.uid;
  if (spec.gid !== undefined) options.gid = spec.gid;
  const encoding = spec.encoding ?? 'utf8';

  return new Promise((resolve, reject) => {
    const child = spawn(file, args, options);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const pid = child.pid;
    const done = (): void => {
      if (timer) clearTimeout(timer);
      if (pid !== undefined) live.delete(pid);
    };

    child.once('error', (e) => {
      done();
      reject(
        new ModuleError(
          'CMD_SPAWN_FAILED',
          `Unable to run command '${pyStrCommand(spec.argv)}', reason: ${e.message}`,
          { cause: e },
        ),
      );
    });
    if (pid === undefined) return; // spawn failed; 'error' follows
    live.set(pid, spec.jid);

    child.stdout?.on('data', (b: Buffer) => out.push(b));
    // In merged mode only the wrapper shell itself can write here (before exec).
    child.stderr?.on('data', (b: Buffer) => (spec.mergeStderr ? out : err).push(b));
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // EPIPE: the child did not read its input
      child.stdin.end(spec.stdin ?? '');
    }
    if (spec.timeoutMs !== null) {
      timer = setTimeout(() => {
        timedOut = true;
        killGroup(pid, 'SIGKILL');
      }, spec.timeoutMs);
    }
    child.once('close', (code, signal) => {
      done();
      resolve({
        pid,
        retcode: code ?? 128 + signalNumber(signal),
        stdout: Buffer.concat(out).toString(encoding),
        stderr: Buffer.concat(err).toString(encoding),
        timedOut,
      });
    });
  });
}

/** Starts a child that nobody waits for (`cmd.run_bg`): its own group, no pipes. */
export function spawnBackground(spec: Omit<ProcessSpec, 'stdin' | 'timeoutMs' | 'mergeStderr'>): Promise<number> {
  const [file, ...args] = wrap({ ...spec, stdin: null, timeoutMs: null, mergeStderr: false });
  const options: SpawnOptions = { cwd: spec.cwd, env: spec.env, detached: true, stdio: 'ignore' };
  if (spec.uid !== undefined) options.uid = spec.uid;
  if (spec.gid !== undefined) options.gid = spec.gid;
  return new Promise((resolve, reject) => {
    if (!file) return reject(new ModuleError('CMD_SPAWN_FAILED', 'Unable to run an empty command'));
    const child = spawn(file, args, options);
    child.once('error', (e) =>
      reject(
        new ModuleError(
          'CMD_SPAWN_FAILED',
          `Unable to run command '${pyStrCommand(spec.argv)}', reason: ${e.message}`,
          { cause: e },
        ),
      ),
    );
    child.once('spawn', () => {
      child.unref();
      resolve(child.pid ?? 0);
    });
  });
}
