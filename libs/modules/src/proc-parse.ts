/**
 * Parsers for the Linux /proc files and tools behind Salt's `status`
 * module, each giving salt/modules/status.py's shape (its quirks included,
 * so a state or script written against Salt reads the same keys).
 */

/** Salt's `_number`: an int for digits, a float for a real, else the text. */
export function pyNumber(text: string): number | string {
  if (/^\d+$/.test(text)) return Number(text);
  if (/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text)) return Number(text);
  return text;
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');
const words = (line: string): string[] => line.trim().split(/\s+/);

/** /proc/cpuinfo: one flat dict; with several processors the last one's values win, as in Salt. */
export function parseCpuinfo(text: string): Record<string, string | string[]> {
  const ret: Record<string, string | string[]> = {};
  for (const line of lines(text)) {
    const parts = line.split(':');
    const key = (parts[0] ?? '').trim();
    const value = parts[1] ?? '';
    ret[key] = key === 'flags' ? words(value).filter(Boolean) : value.trim();
  }
  return ret;
}

/** /proc/meminfo: {Key: {value, unit?}} with the value as text. */
export function parseMeminfo(text: string): Record<string, { value: string; unit?: string }> {
  const ret: Record<string, { value: string; unit?: string }> = {};
  for (const line of lines(text)) {
    const c = words(line);
    const key = (c[0] ?? '').replace(/:/g, '');
    const entry: { value: string; unit?: string } = { value: c[1] ?? '' };
    if (c.length > 2 && c[2] !== undefined) entry.unit = c[2];
    ret[key] = entry;
  }
  return ret;
}

/** /proc/stat. Per-cpu lines (cpu0...) keep only their first number, as Salt's parser does. */
export function parseCpustats(text: string): Record<string, unknown> {
  const ret: Record<string, unknown> = {};
  for (const line of lines(text)) {
    const c = words(line);
    const n = (i: number): number | string => pyNumber(c[i] ?? '');
    const key = c[0] ?? '';
    if (key === 'cpu') {
      ret[key] = {
        idle: n(4),
        iowait: n(5),
        irq: n(6),
        nice: n(2),
        softirq: n(7),
        steal: n(8),
        system: n(3),
        user: n(1),
      };
    } else if (key === 'intr') {
      ret[key] = { total: n(1), irqs: c.slice(2).map(pyNumber) };
    } else if (key === 'softirq') {
      ret[key] = { total: n(1), softirqs: c.slice(2).map(pyNumber) };
    } else {
      ret[key] = n(1);
    }
  }
  return ret;
}

const DISK_FIELDS = [
  'reads_issued',
  'reads_merged',
  'sectors_read',
  'ms_spent_reading',
  'writes_completed',
  'writes_merged',
  'sectors_written',
  'ms_spent_writing',
  'io_in_progress',
  'ms_spent_in_io',
  'weighted_ms_spent_in_io',
];

/** /proc/diskstats: the classic 14 columns per device (newer kernels' extra columns are left out, as in Salt). */
export function parseDiskstats(text: string): Record<string, Record<string, number | string>> {
  const ret: Record<string, Record<string, number | string>> = {};
  for (const line of lines(text)) {
    const c = words(line);
    const dev = c[2] ?? '';
    const row: Record<string, number | string> = {
      major: pyNumber(c[0] ?? ''),
      minor: pyNumber(c[1] ?? ''),
      device: pyNumber(dev),
    };
    DISK_FIELDS.forEach((f, i) => (row[f] = pyNumber(c[i + 3] ?? '')));
    ret[dev] = row;
  }
  return ret;
}

// Column order of /proc/net/dev after the colon; Salt's keys come out sorted.
const NETDEV_COLS = [
  'rx_bytes',
  'rx_packets',
  'rx_errs',
  'rx_drop',
  'rx_fifo',
  'rx_frame',
  'rx_compressed',
  'rx_multicast',
  'tx_bytes',
  'tx_packets',
  'tx_errs',
  'tx_drop',
  'tx_fifo',
  'tx_colls',
  'tx_carrier',
  'tx_compressed',
];

/** /proc/net/dev: per interface, its counters. */
export function parseNetdev(text: string): Record<string, Record<string, number | string>> {
  const ret: Record<string, Record<string, number | string>> = {};
  for (const line of lines(text)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const iface = line.slice(0, colon).trim();
    const vals = words(line.slice(colon + 1));
    const row: Record<string, number | string> = { iface };
    const byName = Object.fromEntries(NETDEV_COLS.map((k, i) => [k, pyNumber(vals[i] ?? '')]));
    for (const k of [...NETDEV_COLS].sort()) row[k] = byName[k] ?? '';
    ret[iface] = row;
  }
  return ret;
}

/**
 * /proc/net/netstat (pairs of header and value lines). Salt's loop stops one
 * column short, so each row's last counter is missing there; tsalt keeps that.
 */
export function parseNetstats(text: string): Record<string, Record<string, number | string>> {
  const ret: Record<string, Record<string, number | string>> = {};
  let headers: string[] = [''];
  for (const line of lines(text)) {
    const c = words(line);
    if (c[0] === headers[0]) {
      const row: Record<string, number | string> = {};
      for (let f = 1; f < headers.length - 1; f++) row[headers[f] ?? ''] = pyNumber(c[f] ?? '');
      ret[(headers[0] ?? '').replace(/:/g, '')] = row;
    } else {
      headers = c;
    }
  }
  return ret;
}

/** /proc/vmstat: {counter: number}. */
export function parseVmstats(text: string): Record<string, number | string> {
  const ret: Record<string, number | string> = {};
  for (const line of lines(text)) {
    const c = words(line);
    ret[c[0] ?? ''] = pyNumber(c[1] ?? '');
  }
  return ret;
}

/** `w -fh`: one record per logged-in user. */
export function parseW(out: string): Record<string, string>[] {
  return lines(out)
    .filter((l) => l.trim() !== '')
    .map((row) => {
      const c = words(row);
      return {
        idle: c[3] ?? '',
        jcpu: c[4] ?? '',
        login: c[2] ?? '',
        pcpu: c[5] ?? '',
        tty: c[1] ?? '',
        user: c[0] ?? '',
        what: c.slice(6).join(' '),
      };
    });
}

/** `ps -efHww` (or the `ps` grain's command): {pid: {user, cmd}} from its header's columns. */
export function parsePs(out: string): Record<string, { user: string; cmd: string }> {
  const [head = '', ...rest] = out.split('\n');
  const guide = words(head);
  const idx = (...names: string[]): number => {
    for (const n of names) if (guide.includes(n)) return guide.indexOf(n);
    return 0;
  };
  const u = idx('USER', 'UID');
  const p = idx('PID');
  const cmd = idx('COMMAND', 'CMD');
  const ret: Record<string, { user: string; cmd: string }> = {};
  for (const line of rest) {
    if (!line) continue;
    const c = words(line);
    ret[c[p] ?? ''] = { user: c[u] ?? '', cmd: c.slice(cmd).join(' ') };
  }
  return ret;
}

/** Python's `datetime.isoformat()` of a UTC time in seconds: microseconds only when not zero. */
export function pyIsoformat(seconds: number): string {
  const whole = Math.floor(seconds);
  const micros = Math.round((seconds - whole) * 1e6);
  const base = new Date(whole * 1000).toISOString().slice(0, 19);
  return micros > 0 ? `${base}.${String(Math.min(micros, 999_999)).padStart(6, '0')}` : base;
}

/** Salt's `status.uptime` dict, from /proc/uptime's first number and the current time (both s). */
export function uptimeDict(procUptime: string, nowS: number): Record<string, number | string> {
  const seconds = Math.trunc(Number.parseFloat(procUptime.trim().split(/\s+/)[0] ?? ''));
  if (!Number.isFinite(seconds)) throw new Error(`cannot read the uptime from ${JSON.stringify(procUptime)}`);
  const boot = nowS - seconds;
  // The time up is `seconds`: boot time was derived from it.
  const days = Math.floor(seconds / 86400);
  const rem = seconds - days * 86400;
  return {
    seconds,
    since_iso: pyIsoformat(boot),
    since_t: Math.trunc(boot),
    days,
    time: `${Math.floor(rem / 3600)}:${Math.floor((rem % 3600) / 60)}`,
  };
}
