/**
 * Parsers for systemctl output and SysV rc link names, apart from the
 * service module so that they are tested on captured text.
 */

/** Unit suffixes systemd knows (systemd_service's VALID_UNIT_TYPES). */
export const UNIT_TYPES = [
  'service',
  'socket',
  'device',
  'mount',
  'automount',
  'swap',
  'target',
  'path',
  'timer',
] as const;

/** Salt's naming of a unit: `foo.service` is `foo`, any other type keeps its suffix. */
export function unitShortName(fullname: string): string | undefined {
  const dot = fullname.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const type = fullname.slice(dot + 1);
  if (!(UNIT_TYPES as readonly string[]).includes(type)) return undefined;
  return type === 'service' ? fullname.slice(0, dot) : fullname;
}

/** A name without a known unit suffix is a service: `nginx` -> `nginx.service`. */
export function canonicalUnitName(name: string): string {
  return UNIT_TYPES.some((t) => name.endsWith(`.${t}`)) ? name : `${name}.service`;
}

/**
 * `systemctl --full --no-legend --no-pager list-unit-files`: lines of
 * `<unit> <state> [<preset>]`, as short name -> state (`enabled`,
 * `disabled`, `static`, `masked`, ...).
 */
export function parseUnitFiles(out: string): Record<string, string> {
  const ret: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const [fullname, state] = line.trim().split(/\s+/);
    if (!fullname || !state) continue;
    const name = unitShortName(fullname);
    if (name !== undefined) ret[name] = state;
  }
  return ret;
}

/**
 * The runlevel `runlevel` printed (`N 2` -> `2`). Inside a container it says
 * `unknown`; Debian's default runlevel 2 is assumed then, as Salt does.
 */
export function parseRunlevel(out: string): string {
  if (out.includes('unknown')) return '2';
  return out.trim().split(/\s+/)[1] ?? '2';
}

/**
 * The service an rc link starts: `S01ssh` -> `ssh`, `S20hwclock.sh` ->
 * `hwclock.sh`; undefined for a link that is not a start link.
 */
export function startLinkService(link: string): string | undefined {
  const m = /^S\d*(.+)$/.exec(link);
  return m ? m[1] : undefined;
}

/** Salt's globbing test for service.status: `*`, `?` or a `[...]` class in the name. */
export function hasGlob(name: string): boolean {
  return /\*|\?|\[.+\]/.test(name);
}
