import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseCpuinfo,
  parseCpustats,
  parseDiskstats,
  parseMeminfo,
  parseNetdev,
  parseNetstats,
  parsePs,
  parseVmstats,
  parseW,
  pyIsoformat,
  pyNumber,
  uptimeDict,
} from './proc-parse.js';

describe('status parsers (canned /proc)', () => {
  it('pyNumber: int, float, else text', () => {
    assert.equal(pyNumber('42'), 42);
    assert.equal(pyNumber('2.5'), 2.5);
    assert.equal(pyNumber('sda'), 'sda');
  });
  it('cpuinfo: last processor wins, flags split', () => {
    const r = parseCpuinfo('processor\t: 0\nflags\t\t: fpu vme\n\nprocessor\t: 1\nflags\t\t: fpu\npower management:\n');
    assert.deepEqual(r, { processor: '1', flags: ['fpu'], 'power management': '' });
  });
  it('meminfo: value text and unit', () => {
    assert.deepEqual(parseMeminfo('MemTotal:       24683568 kB\nHugePages_Total:       0\n'), {
      MemTotal: { value: '24683568', unit: 'kB' },
      HugePages_Total: { value: '0' },
    });
  });
  it('cpustats: cpu dict, intr/softirq lists, per-cpu first number', () => {
    const r = parseCpustats(
      'cpu  307767 0 44086 517839 1781 0 856 3005 0 0\ncpu0 152813 0 1 2\nintr 10 1 2\nctxt 99\nsoftirq 5 4 1\n',
    );
    assert.deepEqual(r, {
      cpu: { idle: 517839, iowait: 1781, irq: 0, nice: 0, softirq: 856, steal: 3005, system: 44086, user: 307767 },
      cpu0: 152813,
      intr: { total: 10, irqs: [1, 2] },
      ctxt: 99,
      softirq: { total: 5, softirqs: [4, 1] },
    });
  });
  it('diskstats', () => {
    const r = parseDiskstats('   7       0 loop0 1 2 3 4 5 6 7 8 9 10 11 0 0 0 0\n');
    assert.deepEqual(r['loop0'], {
      major: 7,
      minor: 0,
      device: 'loop0',
      reads_issued: 1,
      reads_merged: 2,
      sectors_read: 3,
      ms_spent_reading: 4,
      writes_completed: 5,
      writes_merged: 6,
      sectors_written: 7,
      ms_spent_writing: 8,
      io_in_progress: 9,
      ms_spent_in_io: 10,
      weighted_ms_spent_in_io: 11,
    });
  });
  it('netdev: keys sorted as Salt gives them', () => {
    const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n`;
    const r = parseNetdev(text)['eth0'];
    assert.deepEqual(Object.keys(r ?? {}), [
      'iface',
      'rx_bytes',
      'rx_compressed',
      'rx_drop',
      'rx_errs',
      'rx_fifo',
      'rx_frame',
      'rx_multicast',
      'rx_packets',
      'tx_bytes',
      'tx_carrier',
      'tx_colls',
      'tx_compressed',
      'tx_drop',
      'tx_errs',
      'tx_fifo',
      'tx_packets',
    ]);
    assert.equal(r?.['rx_packets'], 2);
    assert.equal(r?.['tx_carrier'], 15);
  });
  it("netstats: Salt drops each row's last counter", () => {
    assert.deepEqual(parseNetstats('TcpExt: A B C\nTcpExt: 1 2 3\nIpExt: X Y\nIpExt: 7 8\n'), {
      TcpExt: { A: 1, B: 2 },
      IpExt: { X: 7 },
    });
  });
  it('vmstats, w, ps', () => {
    assert.deepEqual(parseVmstats('nr_free_pages 5494377\npgpgin 1\n'), { nr_free_pages: 5494377, pgpgin: 1 });
    assert.deepEqual(parseW('root     pts/0    10:01    1.00s  0.02s  0.00s w -fh\n'), [
      { idle: '1.00s', jcpu: '0.02s', login: '10:01', pcpu: '0.00s', tty: 'pts/0', user: 'root', what: 'w -fh' },
    ]);
    const ps =
      'UID          PID    PPID  C STIME TTY          TIME CMD\nroot           1       0  0 12:28 ?        00:00:00 /sbin/init splash\n';
    assert.deepEqual(parsePs(ps), { '1': { user: 'root', cmd: '/sbin/init splash' } });
  });
  it('uptime dict', () => {
    assert.equal(pyIsoformat(1796214529.95), '2026-12-02T12:28:49.950000');
    assert.equal(pyIsoformat(1796214529), '2026-12-02T12:28:49');
    assert.deepEqual(uptimeDict('90061.52 1000.0\n', 1796214529 + 90061), {
      seconds: 90061,
      since_iso: '2026-12-02T12:28:49',
      since_t: 1796214529,
      days: 1,
      time: '1:1',
    });
    assert.throws(() => uptimeDict('garbage', 0), /cannot read the uptime/);
  });
});
