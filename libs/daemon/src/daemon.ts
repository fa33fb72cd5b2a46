import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { errorLine, type Logger } from '@tsalt/core';

/**
 * `-d`: start the same command again, detached, without `-d`, and return
 * true in the parent, which should then exit. Salt's daemons do the same.
 */
export function daemonizeIfAsked(argv: string[]): boolean {
  const i = argv.findIndex((a) => a === '-d' || a === '--daemon');
  if (i < 0 || process.env['TSALT_DAEMONIZED']) return false;
  const rest = argv.slice(0, i).concat(argv.slice(i + 1));
  const child = spawn(process.execPath, [...process.execArgv, ...rest.slice(1)], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, TSALT_DAEMONIZED: '1' },
  });
  child.unref();
  return true;
}

export function writePidfile(file: string | undefined): void {
  if (!file) return;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${process.pid}\n`);
  } catch {
    // A pidfile is a convenience; failing to write one must not stop the daemon.
  }
}

/**
 * Runs a daemon in the foreground until SIGINT/SIGTERM, then stops it
 * cleanly. A second signal exits at once.
 */
export function runUntilSignalled(log: Logger, stop: () => Promise<void>, pidfile?: string): void {
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal: sig }, 'shutting down');
    stop()
      .catch((err: unknown) => log.error({ err: errorLine(err) }, 'error while stopping'))
      .finally(() => {
        if (pidfile) fs.rmSync(pidfile, { force: true });
        process.exit(0);
      });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
