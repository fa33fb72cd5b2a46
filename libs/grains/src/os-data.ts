import type { Host } from './host.js';
import type { Grains } from './types.js';

/** `KEY=value` lines of os-release / lsb-release, quotes removed. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m?.[1]) continue;
    let v = (m[2] ?? '').trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[m[1]] = v.replace(/\\(["'$`\\])/g, '$1');
  }
  return out;
}

/** The first ten letters of a lowercased, spaceless NAME, mapped to Salt's traditional `os` (part of Salt's table). */
const OS_NAME: Record<string, string> = {
  redhatente: 'RedHat',
  gentoobase: 'Gentoo',
  archarm: 'Arch ARM',
  arch: 'Arch',
  debian: 'Debian',
  raspbian: 'Raspbian',
  fedoraremi: 'Fedora',
  amazonami: 'Amazon',
  alt: 'ALT',
  enterprise: 'OEL',
  oracleserv: 'OEL',
  cloudserve: 'CloudLinux',
  cloudlinux: 'CloudLinux',
  almalinux: 'AlmaLinux',
  scientific: 'ScientificLinux',
  manjaro: 'Manjaro',
  manjarolin: 'Manjaro',
  sles: 'SUSE',
  void: 'Void',
  linuxmint: 'Mint',
  neon: 'KDE neon',
  pop: 'Pop',
  rocky: 'Rocky',
};

/** `os` to `os_family` for derivatives whose os-release does not say (part of Salt's table). */
const OS_FAMILY: Record<string, string> = {
  Ubuntu: 'Debian',
  Mint: 'Debian',
  Raspbian: 'Debian',
  Devuan: 'Debian',
  Kali: 'Debian',
  Pop: 'Debian',
  'KDE neon': 'Debian',
  Fedora: 'RedHat',
  CentOS: 'RedHat',
  'CentOS Stream': 'RedHat',
  Amazon: 'RedHat',
  AlmaLinux: 'RedHat',
  Rocky: 'RedHat',
  OEL: 'RedHat',
  CloudLinux: 'RedHat',
  ScientificLinux: 'RedHat',
  ALT: 'RedHat',
  SUSE: 'Suse',
  SLES: 'Suse',
  openSUSE: 'Suse',
  'openSUSE Leap': 'Suse',
  'openSUSE Tumbleweed': 'Suse',
  Manjaro: 'Arch',
  'Arch ARM': 'Arch',
  EndeavourOS: 'Arch',
};

/** Salt's `os`: NAME without "GNU/Linux", shortened through the name table. */
export function deriveOs(name: string): string {
  const distro = name.replace(/\W(?:gnu\/)?linux/gi, '').trim();
  return OS_NAME[distro.replace(/ /g, '').toLowerCase().slice(0, 10)] ?? distro;
}

/** The oldest ancestor in ID_LIKE (debian when any is debian or ubuntu). */
function familyId(id: string, idLike: string | undefined): string {
  if (!idLike) return id;
  const like = [id, ...idLike.split(/\s+/).filter(Boolean)];
  if (like.includes('debian') || like.includes('ubuntu')) return 'debian';
  return like[like.length - 1] ?? id;
}

function prettyFamily(fid: string): string {
  if (fid === 'fedora') return 'RedHat';
  return fid.charAt(0).toUpperCase() + fid.slice(1).toLowerCase();
}

/** os, os_family, oscodename, osfullname, osrelease from /etc/os-release (or /usr/lib/os-release). */
export function osRelease(host: Host): Grains {
  const text = host.read('/etc/os-release') ?? host.read('/usr/lib/os-release');
  if (text === undefined) return {};
  const rel = parseEnvFile(text);
  const name = rel['NAME'] ?? 'Linux';
  const id = rel['ID'] ?? 'linux';
  const os = deriveOs(name);
  const fam = OS_FAMILY[os] ?? prettyFamily(familyId(id, rel['ID_LIKE']));
  const out: Grains = { os, os_family: fam, osfullname: name.trim() };
  if (rel['VERSION_CODENAME']) out['oscodename'] = rel['VERSION_CODENAME'];
  if (rel['VERSION_ID']) out['osrelease'] = rel['VERSION_ID'];
  return out;
}

/** osrelease_info (numbers where the part is digits), osmajorrelease, osfinger, from osrelease. */
export function osReleaseInfo(_host: Host, sofar: Readonly<Grains>): Grains {
  const rel = sofar['osrelease'];
  if (typeof rel !== 'string' || rel === '') return {};
  const info: (string | number)[] = rel.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const out: Grains = { osrelease_info: info };
  const major = Number.parseInt(String(info[0]), 10);
  if (Number.isFinite(major) && /^\d+$/.test(String(info[0]))) out['osmajorrelease'] = major;
  const str = (v: unknown, dflt: string): string => (typeof v === 'string' ? v : dflt);
  const os = str(sofar['os'], '');
  const name = ['Debian', 'FreeBSD', 'OpenBSD', 'NetBSD', 'Mac', 'Raspbian'].includes(os)
    ? os
    : str(sofar['osfullname'], os);
  out['osfinger'] = `${name}-${['Ubuntu', 'Pop'].includes(os) ? rel : String(info[0])}`;
  return out;
}

/**
 * lsb_distrib_* from /etc/lsb-release, or, when there is none, from os-release
 * (id, release, codename; Salt's fallback sets no description).
 */
export function lsbDistrib(host: Host): Grains {
  const lsb = host.read('/etc/lsb-release');
  const out: Grains = {};
  if (lsb !== undefined) {
    for (const [k, v] of Object.entries(parseEnvFile(lsb)))
      if (/^DISTRIB_(ID|RELEASE|CODENAME|DESCRIPTION)$/.test(k)) out[`lsb_${k.toLowerCase()}`] = v;
    if (Object.keys(out).length > 0) return out;
  }
  const text = host.read('/etc/os-release') ?? host.read('/usr/lib/os-release');
  if (text === undefined) return {};
  const rel = parseEnvFile(text);
  if (rel['NAME']) out['lsb_distrib_id'] = rel['NAME'];
  if (rel['VERSION_ID']) out['lsb_distrib_release'] = rel['VERSION_ID'];
  if (rel['VERSION_CODENAME']) out['lsb_distrib_codename'] = rel['VERSION_CODENAME'];
  return out;
}

/** kernel, kernelrelease, kernelversion, cpuarch: Python's platform.uname(). */
export function kernelData(host: Host): Grains {
  const k = host.kernel();
  return { kernel: k.type, kernelrelease: k.release, kernelversion: k.version, cpuarch: k.machine };
}

/** Debian's architecture names for `uname -m`, when dpkg is not there to ask. */
const DEB_ARCH: Record<string, string> = {
  x86_64: 'amd64',
  aarch64: 'arm64',
  i686: 'i386',
  i386: 'i386',
  armv7l: 'armhf',
  ppc64le: 'ppc64el',
  s390x: 's390x',
};

/** Salt's osarch: the package manager's architecture (dpkg, rpm), else cpuarch. */
export function osArch(host: Host, sofar: Readonly<Grains>): Grains {
  const cpuarch = typeof sofar['cpuarch'] === 'string' ? sofar['cpuarch'] : host.kernel().machine;
  const fam = sofar['os_family'];
  if (fam === 'Debian') {
    const r = host.which('dpkg') ? host.run('dpkg', ['--print-architecture']) : undefined;
    const arch = r?.status === 0 ? r.stdout.trim() : '';
    return { osarch: arch || (DEB_ARCH[cpuarch] ?? cpuarch) };
  }
  if (fam === 'RedHat' || fam === 'Suse') {
    const r = host.which('rpm') ? host.run('rpm', ['--eval', '%{_host_cpu}']) : undefined;
    const arch = r?.status === 0 ? r.stdout.trim() : '';
    return { osarch: arch || cpuarch };
  }
  return { osarch: cpuarch };
}
