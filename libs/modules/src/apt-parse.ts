/**
 * Parsers for what dpkg and apt print, kept apart from the pkg module so
 * that they are tested on captured output without running anything.
 * Every parser expects the C locale (the pkg module runs them with LC_ALL=C).
 */

/** Installed, removed (config files left) and purge-desired packages: name -> versions. */
export interface DpkgPackages {
  installed: Record<string, string[]>;
  removed: Record<string, string[]>;
  purge_desired: Record<string, string[]>;
}

/** The `--showformat` list_pkgs gives to `dpkg-query -W`: Status (3 words), Package, Version, Architecture. */
export const DPKG_LIST_FORMAT = '${Status} ${Package} ${Version} ${Architecture}\n';

function addPkg(into: Record<string, string[]>, name: string, version: string): void {
  (into[name] ??= []).push(version);
}

/**
 * Parses `dpkg-query -W --showformat DPKG_LIST_FORMAT`, e.g.
 * `install ok installed zsh 5.9-4+b2 amd64` or
 * `deinstall ok config-files mc 3:4.8.29-2 amd64`, as Salt's aptpkg does.
 * A package of a foreign architecture (not `all`, not the host's `osarch`)
 * is named `name:arch`.
 */
export function parseDpkgList(out: string, osarch?: string): DpkgPackages {
  const ret: DpkgPackages = { installed: {}, removed: {}, purge_desired: {} };
  for (const line of out.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 6) continue;
    const [want, , status, pkg, version, arch] = cols as [string, string, string, string, string, string];
    const name = osarch && arch !== 'all' && arch !== osarch ? `${pkg}:${arch}` : pkg;
    // `deinstall ok installed` (marked for removal, still there) counts as installed, as in Salt.
    if ((want.includes('install') || want.includes('hold')) && status === 'installed')
      addPkg(ret.installed, name, version);
    else if (want === 'deinstall') addPkg(ret.removed, name, version);
    else if (want === 'purge' && status === 'installed') addPkg(ret.purge_desired, name, version);
  }
  for (const list of [ret.installed, ret.removed, ret.purge_desired])
    for (const versions of Object.values(list)) versions.sort(compareDebianVersions);
  return ret;
}

/** `Candidate:` of `apt-cache policy <name>`; '' when there is none. */
export function parsePolicyCandidate(out: string): string {
  for (const line of out.split('\n')) {
    if (!line.includes('Candidate')) continue;
    const comps = line.trim().split(/\s+/);
    const candidate = comps.length >= 2 ? (comps[comps.length - 1] ?? '') : '';
    return candidate.toLowerCase() === '(none)' ? '' : candidate;
  }
  return '';
}

/**
 * The upgrades `apt-get --just-print (dist-)upgrade` would configure: each
 * `Conf <name> (<version> <release> [<arch>])` line gives name -> version.
 */
export function parseJustPrint(out: string): Record<string, string> {
  const ret: Record<string, string> = {};
  for (const m of out.matchAll(/^Conf (\S+) \((\S+)/gm)) ret[m[1] ?? ''] = m[2] ?? '';
  return ret;
}

/** What refresh_db returns per index: true fetched, false ignored or failed, null already current. */
export interface AptUpdateResult {
  repos: Record<string, boolean | null>;
  errors: string[];
}

/** Parses `apt-get -q update`: `Get:1 <uri> [12 kB]`, `Hit:2 <uri>`, `Ign:3 <uri>`, `Err:4 <uri>`. */
export function parseAptUpdate(out: string): AptUpdateResult {
  const ret: AptUpdateResult = { repos: {}, errors: [] };
  for (const line of out.split('\n')) {
    const cols = line.trim().split(/\s+/);
    const head = cols[0];
    if (!head) continue;
    const ident = cols.slice(1).join(' ');
    if (head.includes('Get')) ret.repos[ident.replace(/ \[.+B\]$/, '')] = true;
    else if (head.includes('Ign')) ret.repos[ident] = false;
    else if (head.includes('Hit')) ret.repos[ident] = null;
    else if (head.includes('Err')) {
      ret.repos[ident] = false;
      ret.errors.push(ident);
    }
  }
  return ret;
}

/** `dpkg --get-selections` lines (`name<TAB>state`) as state -> names. */
export function parseSelections(out: string): Record<string, string[]> {
  const ret: Record<string, string[]> = {};
  for (const line of out.split('\n')) {
    const [pkg, state] = line.trim().split(/\s+/);
    if (pkg && state) (ret[state] ??= []).push(pkg);
  }
  return ret;
}

/** Fields of `dpkg-query -W -f` that info_installed asks for, in Salt's key names (lowpkg.info). */
const INFO_FIELDS: readonly (readonly [string, string])[] = [
  ['package', '${Package}'],
  ['revision', '${binary:Revision}'],
  ['architecture', '${Architecture}'],
  ['maintainer', '${Maintainer}'],
  ['summary', '${binary:Summary}'],
  ['source', '${source:Package}'],
  ['version', '${Version}'],
  ['section', '${Section}'],
  ['installed_size', '${Installed-size}'],
  ['size', '${Size}'],
  ['MD5', '${MD5sum}'],
  ['SHA1', '${SHA1}'],
  ['SHA256', '${SHA256}'],
  ['origin', '${Origin}'],
  ['homepage', '${Homepage}'],
  ['status', '${db:Status-Abbrev}'],
];
/** Ends each package's block, as Salt's lowpkg does: a line no description contains. */
const INFO_END = '*/~^*';

export const DPKG_INFO_FORMAT = `${INFO_FIELDS.map(([k, f]) => `${k}:${f}\n`).join('')}description:\${Description}\n${INFO_END}\n`;

/** Parses DPKG_INFO_FORMAT output into one record per package (empty fields left out). */
export function parseDpkgInfo(out: string): Record<string, string>[] {
  const ret: Record<string, string>[] = [];
  for (const block of out.split(`${INFO_END}\n`)) {
    if (!block.trim()) continue;
    const at = block.indexOf('\ndescription:');
    const head = at < 0 ? block : block.slice(0, at);
    const pkg: Record<string, string> = {};
    for (const line of head.split('\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const value = line.slice(colon + 1).trim();
      if (value) pkg[line.slice(0, colon)] = value;
    }
    if (at >= 0) pkg['description'] = block.slice(at + '\ndescription:'.length).replace(/\n$/, '');
    if (pkg['package']) ret.push(pkg);
  }
  return ret;
}

/** The owning package in `dpkg -S <path>` output (`coreutils: /usr/bin/ls`); '' when none. */
export function parseDpkgSearch(out: string): string {
  for (const line of out.split('\n')) {
    if (!line || line.startsWith('diversion by')) continue;
    const owner = line.split(':')[0] ?? '';
    return owner.toLowerCase().includes('no path found') ? '' : owner;
  }
  return '';
}

/** Salt's compare_dicts: `{key: {old, new}}` for every key whose value changed ('' for absent). */
export function compareDicts(
  old: Record<string, string>,
  now: Record<string, string>,
): Record<string, { old: string; new: string }> {
  const ret: Record<string, { old: string; new: string }> = {};
  for (const key of new Set([...Object.keys(old), ...Object.keys(now)])) {
    const o = old[key];
    const n = now[key];
    if (o !== n) ret[key] = { old: o ?? '', new: n ?? '' };
  }
  return ret;
}

/** dpkg's ordering of one character of a non-digit run: `~` before the end, letters before the rest. */
function order(c: string | undefined): number {
  if (c === undefined || (c >= '0' && c <= '9')) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !/\d/.test(a[i]!)) || (j < b.length && !/\d/.test(b[j]!))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (i < a.length && /\d/.test(a[i]!) && j < b.length && /\d/.test(b[j]!)) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && /\d/.test(a[i]!)) return 1;
    if (j < b.length && /\d/.test(b[j]!)) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

function splitVersion(v: string): [number, string, string] {
  const colon = v.indexOf(':');
  const epoch = colon > 0 ? Number(v.slice(0, colon)) || 0 : 0;
  const rest = colon > 0 ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? [epoch, rest.slice(0, dash), rest.slice(dash + 1)] : [epoch, rest, ''];
}

/** Debian version ordering (deb-version(7)), as `dpkg --compare-versions`: <0, 0 or >0. */
export function compareDebianVersions(a: string, b: string): number {
  const [ea, ua, ra] = splitVersion(a);
  const [eb, ub, rb] = splitVersion(b);
  if (ea !== eb) return ea - eb;
  return verrevcmp(ua, ub) || verrevcmp(ra, rb);
}
