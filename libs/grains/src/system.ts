import { createHash } from 'node:crypto';
import type { Host } from './host.js';
import type { Grains } from './types.js';

/** machine_id from /etc/machine-id, else D-Bus's copy. */
export function machineId(host: Host): Grains {
  const id = host.read('/etc/machine-id') ?? host.read('/var/lib/dbus/machine-id');
  return id === undefined ? {} : { machine_id: id.trim() };
}

/** How much of the init binary is searched for its name (bytes): these strings sit near the start. */
const INIT_SCAN_BYTES = 4 * 1024 * 1024;

/** Salt's init: systemd when /run/systemd/system exists, else what PID 1's command line says; 'unknown' otherwise. */
export function initSystem(host: Host): Grains {
  if (host.exists('/run/systemd/system')) return { init: 'systemd' };
  const cmdline = host.read('/proc/1/cmdline');
  if (cmdline === undefined) return { init: 'unknown' };
  const argv = cmdline.replace(/\0/g, ' ').trim().split(/\s+/).filter(Boolean);
  const first = argv[0];
  const bin = first ? (first.startsWith('/') ? first : host.which(first)) : undefined;
  if (bin?.endsWith('bin/init')) {
    const body = (host.read(bin) ?? '').slice(0, INIT_SCAN_BYTES).toLowerCase();
    for (const name of ['upstart', 'sysvinit', 'systemd']) if (body.includes(name)) return { init: name };
    return { init: 'unknown' };
  }
  const on = (cmd: string): boolean => {
    const p = host.which(cmd);
    return p !== undefined && argv.includes(p);
  };
  if (on('supervisord')) return { init: 'supervisord' };
  if (on('dumb-init')) return { init: 'dumb-init' };
  if (on('tini')) return { init: 'tini' };
  if (argv.length === 1 && argv[0] === 'runit') return { init: 'runit' };
  if (argv.includes('/sbin/my_init')) return { init: 'runit' };
  return { init: 'unknown' };
}

/** systemd: version and feature line of `systemctl --version`, when systemctl and localectl exist (as Salt). */
export function systemdData(host: Host): Grains {
  if (!host.which('systemctl') || !host.which('localectl')) return {};
  const r = host.run('systemctl', ['--version']);
  if (!r || r.status !== 0) return {};
  const [first, features] = r.stdout.split('\n');
  const version = first?.split(/\s+/)[1];
  if (!version) return {};
  return { systemd: { version, features: features ?? '' } };
}

/** selinux: enabled (selinuxenabled's status) and enforced (getenforce), when selinuxenabled exists. */
export function selinuxData(host: Host): Grains {
  if (!host.which('selinuxenabled')) return {};
  const selinux: Grains = { enabled: host.run('selinuxenabled', [])?.status === 0 };
  if (host.which('getenforce')) selinux['enforced'] = host.run('getenforce', [])?.stdout.trim() ?? '';
  return { selinux };
}

/** shell ($SHELL, else /bin/sh), path ($PATH) and systempath (its parts). */
export function shellAndPath(host: Host): Grains {
  const p = host.env['PATH'] ?? '';
  return { shell: host.env['SHELL'] || '/bin/sh', path: p, systempath: p.split(':').filter(Boolean) };
}

/**
 * Python's locale.getlocale() from LC_ALL / LC_CTYPE / LANG: `C.UTF-8`
 * reads as en_US/UTF-8 (Python's alias), `C` and `POSIX` as no locale.
 */
export function parseLocale(value: string | undefined): [string | null, string | null] {
  if (!value || value === 'C' || value === 'POSIX') return [null, null];
  const [lang, rest] = value.split('.', 2);
  const enc = rest?.split('@')[0];
  const encoding = enc ? (/^utf-?8$/i.test(enc) ? 'UTF-8' : enc.toUpperCase()) : null;
  if (lang === 'C' || lang === 'POSIX') return encoding ? ['en_US', encoding] : [null, null];
  return [lang ?? null, encoding];
}

/** locale_info: defaultlanguage, defaultencoding, detectedencoding, timezone (the zone's short name). */
export function localeInfo(host: Host): Grains {
  const env = host.env;
  const [language, encoding] = parseLocale(env['LC_ALL'] || env['LC_CTYPE'] || env['LANG']);
  return {
    locale_info: {
      defaultlanguage: language,
      defaultencoding: encoding,
      // Node reads and writes UTF-8 whatever the locale, as Python 3 does by default.
      detectedencoding: 'utf-8',
      timezone: host.tzName(),
    },
  };
}

/** The group name of a gid, from `getent group` (NSS) or /etc/group. */
function groupName(host: Host, gid: number): string | undefined {
  const r = host.which('getent') ? host.run('getent', ['group', String(gid)]) : undefined;
  const line =
    r?.status === 0
      ? r.stdout.split('\n')[0]
      : (host.read('/etc/group') ?? '').split('\n').find((l) => l.split(':')[2] === String(gid));
  const name = line?.split(':')[0];
  return name || undefined;
}

/** username, uid, gid, groupname, pid: the minion process's own. */
export function processUser(host: Host): Grains {
  const u = host.user();
  const out: Grains = { username: u.username, uid: u.uid, gid: u.gid, pid: host.pid };
  const g = groupName(host, u.gid);
  if (g !== undefined) out['groupname'] = g;
  return out;
}

/** server_id: the id's SHA-256 as an integer, mod 2^31 (Salt's, so MySQL server ids stay the same). */
export function serverId(id: string): number {
  const h = BigInt(`0x${createHash('sha256').update(id).digest('hex')}`);
  return Number(h % 2n ** 31n);
}

/** kernelparams: /proc/cmdline as [name, value|null] pairs (`quiet` has no value). */
export function kernelParams(host: Host): Grains {
  const text = host.read('/proc/cmdline');
  if (text === undefined) return {};
  const params = text
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((item) => {
      const parts = item.split('=');
      return [parts[0] ?? '', parts.length === 2 ? (parts[1] ?? '').replace(/^"|"$/g, '') : null];
    });
  return { kernelparams: params };
}

/** cwd, ps (the command Salt's ps module uses on Linux) and transactional (transactional-update exists). */
export function processDir(host: Host): Grains {
  return { cwd: process.cwd(), ps: 'ps -efHww', transactional: host.which('transactional-update') !== undefined };
}
