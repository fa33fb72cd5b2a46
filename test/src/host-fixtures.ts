import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/*
 * Throwaway things on the real host, for tests that change it (as root
 * only): a small apt package that is absent and installable, and an LSB
 * init script whose "daemon" is a state file. Each test undoes its own.
 */

/** Runs a host command to completion, C locale. */
export function sh(argv: string[], timeoutMs = 120_000): { code: number | null; stdout: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, LC_ALL: 'C' },
  });
  return { code: r.status, stdout: r.stdout ?? '' };
}

export function installed(pkg: string): boolean {
  return sh(['dpkg-query', '-W', '-f', '${db:Status-Status}', pkg]).stdout === 'installed';
}

/** Small Debian packages with no dependencies beyond libc; the first one not installed and installable is used. */
const CANDIDATES = ['hello', 'sl', 'cowsay'];

/** A package to install, or why this host cannot run a pkg test. */
export function pickPackage(): { pkg: string } | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: 'not root' };
  if (sh(['sh', '-c', 'command -v apt-get && command -v dpkg-query']).code !== 0)
    return { skip: 'no apt-get/dpkg here' };
  const policy = (p: string): string => /Candidate: (\S+)/.exec(sh(['apt-cache', 'policy', p]).stdout)?.[1] ?? '(none)';
  if (CANDIDATES.every((p) => policy(p) === '(none)')) sh(['apt-get', '-q', 'update'], 300_000); // empty lists
  const pkg = CANDIDATES.find((p) => !installed(p) && policy(p) !== '(none)');
  if (!pkg) return { skip: `none of ${CANDIDATES.join(', ')} is installable and absent` };
  // Reachability: the download alone, into a throwaway folder.
  const dir = fs.mkdtempSync('/tmp/tsalt-apt-');
  const dl = spawnSync('apt-get', ['download', pkg], { cwd: dir, timeout: 120_000, stdio: 'ignore' });
  fs.rmSync(dir, { recursive: true, force: true });
  return dl.status === 0 ? { pkg } : { skip: 'apt cannot reach its repositories' };
}

/** Purges `pkg` when a test installed it. */
export function purge(pkg: string): void {
  if (installed(pkg)) sh(['apt-get', '-q', '-y', 'purge', pkg], 300_000);
}

/** Why this host cannot run a throwaway init-script service, or false when it can. */
export function serviceSkipReason(): string | false {
  if (process.getuid?.() !== 0) return 'not root';
  if (fs.existsSync('/run/systemd/system')) return 'systemd is running: the init-script test would touch real units';
  if (sh(['sh', '-c', 'command -v update-rc.d']).code !== 0) return 'no update-rc.d here';
  return false;
}

/** A throwaway LSB service: its script, its "running" state file, and a log of every action it was asked for. */
export interface ThrowawayService {
  name: string;
  script: string;
  state: string;
  log: string;
  /** Writes the init script. */
  install(): void;
  /** The actions logged so far (start, stop, restart...). */
  actions(): string[];
  /** Removes the script, its rc links, its state and log. */
  remove(): void;
}

export function throwawayService(prefix = 'tsalt-e2e'): ThrowawayService {
  const name = `${prefix}-${crypto.randomBytes(3).toString('hex')}`;
  const script = path.join('/etc/init.d', name);
  const state = path.join('/run', `${name}.state`);
  const log = path.join('/run', `${name}.log`);
  const body = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          ${name}
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: tsalt e2e throwaway service
### END INIT INFO
case "$1" in
  start|restart|reload|force-reload) echo "$1" >> ${log}; touch ${state} ;;
  stop) echo "$1" >> ${log}; rm -f ${state} ;;
  status) [ -e ${state} ] && exit 0 || exit 3 ;;
  *) echo "Usage: $0 {start|stop|restart|reload|status}" >&2; exit 2 ;;
esac
exit 0
`;
  return {
    name,
    script,
    state,
    log,
    install: () => fs.writeFileSync(script, body, { mode: 0o755 }),
    actions: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : []),
    remove: () => {
      sh(['update-rc.d', '-f', name, 'remove']);
      for (const f of [script, state, log]) fs.rmSync(f, { force: true });
    },
  };
}
