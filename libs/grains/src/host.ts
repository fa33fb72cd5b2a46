import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * What the collectors read from the host, behind one interface so that a
 * unit test gives each collector a fake /etc/os-release, /proc/cpuinfo or
 * set of interfaces. Every method answers undefined (or empty) rather than
 * throwing when the thing is missing.
 */
export interface Host {
  /** A text file, or undefined when it is missing or unreadable. */
  read(file: string): string | undefined;
  exists(file: string): boolean;
  /** The names in a folder; [] when it is missing. */
  list(dir: string): string[];
  /** A symlink's target, or undefined when it is not one. */
  readlink(file: string): string | undefined;
  /** A file's raw bytes, or undefined. */
  readBytes(file: string): Buffer | undefined;
  /** The path of an executable on PATH, as `which`. */
  which(cmd: string): string | undefined;
  /** Runs a command (bounded); its stdout and exit status, or undefined when it could not start. */
  run(cmd: string, args: string[]): { stdout: string; status: number } | undefined;
  env: Readonly<Record<string, string | undefined>>;
  hostname(): string;
  kernel(): { type: string; release: string; version: string; machine: string };
  cpuCount(): number;
  interfaces(): NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  user(): { username: string; uid: number; gid: number };
  pid: number;
  /** The local time zone's short name (`UTC`, `CET`), for locale_info. */
  tzName(): string;
}

/** A command that hangs (an NSS backend, a broken systemctl) must not hold the minion's start-up (ms). */
const RUN_TIMEOUT_MS = 5000;

function findOnPath(cmd: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    if (!dir) continue;
    const file = path.join(dir, cmd);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The real host. */
export function realHost(): Host {
  const env = process.env;
  return {
    read(file) {
      try {
        return fs.readFileSync(file, 'utf8');
      } catch {
        return undefined;
      }
    },
    exists: (file) => fs.existsSync(file),
    readlink(file) {
      try {
        return fs.readlinkSync(file);
      } catch {
        return undefined;
      }
    },
    readBytes(file) {
      try {
        return fs.readFileSync(file);
      } catch {
        return undefined;
      }
    },
    list(dir) {
      try {
        return fs.readdirSync(dir);
      } catch {
        return [];
      }
    },
    // sbin folders too: Salt's which looks there even when PATH lacks them.
    which: (cmd) => findOnPath(cmd, `${env['PATH'] ?? ''}:/usr/local/sbin:/usr/sbin:/sbin`),
    run(cmd, args) {
      const r = spawnSync(cmd, args, {
        encoding: 'utf8',
        timeout: RUN_TIMEOUT_MS,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      if (r.error) return undefined;
      return { stdout: r.stdout, status: r.status ?? -1 };
    },
    env,
    hostname: () => os.hostname(),
    kernel: () => ({ type: os.type(), release: os.release(), version: os.version(), machine: os.machine() }),
    cpuCount: () => os.cpus().length,
    interfaces: () => os.networkInterfaces(),
    user() {
      const u = os.userInfo();
      return { username: u.username, uid: u.uid, gid: u.gid };
    },
    pid: process.pid,
    tzName() {
      const parts = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(new Date());
      return parts.find((p) => p.type === 'timeZoneName')?.value ?? 'unknown';
    },
  };
}
