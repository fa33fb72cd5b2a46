import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareNet,
  formatIp,
  formatNet,
  ipv4Netmask,
  isPrivate,
  netContains,
  netFacts,
  parseIp,
  parseNet,
} from './net-ip.js';

const ip = (s: string): NonNullable<ReturnType<typeof parseIp>> => {
  const a = parseIp(s);
  assert.ok(a, s);
  return a;
};

describe('net-ip (Python ipaddress text forms)', () => {
  it('compresses IPv6 as Python does', () => {
    const cases: [string, string][] = [
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['fe80:0:0:0:0:0:0:1', 'fe80::1'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['2001:db8::', '2001:db8::'],
      ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
      ['::ffff:1.2.3.4', '::ffff:102:304'],
      ['2001:0:0:1:0:0:0:0', '2001:0:0:1::'],
      ['FE80::FC:FF:FE00:1', 'fe80::fc:ff:fe00:1'],
    ];
    for (const [input, want] of cases) assert.equal(formatIp(ip(input)), want, input);
  });
  it('rejects what is not an address', () => {
    assert.equal(parseIp('300.1.1.1'), null);
    assert.equal(parseIp('host.example'), null);
    assert.equal(parseNet('10.0.0.0/33'), null);
    assert.equal(parseNet('10.0.0.0/255.0.255.0'), null);
  });
  it('networks: host bits cleared, dotted masks, facts', () => {
    const n = parseNet('10.1.2.3/255.255.0.0');
    assert.ok(n);
    assert.equal(formatNet(n), '10.1.0.0/16');
    assert.deepEqual(netFacts(n), { network: '10.1.0.0', netmask: '255.255.0.0', broadcast: '10.1.255.255' });
    assert.ok(netContains(n, ip('10.1.200.9')));
    assert.ok(!netContains(n, ip('10.2.0.1')));
    assert.ok(!netContains(n, ip('::1')));
    assert.equal(ipv4Netmask(24), '255.255.255.0');
    assert.equal(ipv4Netmask(8), '255.0.0.0');
    assert.equal(ipv4Netmask(0), '');
  });
  it('is_private follows Python 3.11', () => {
    assert.equal(isPrivate(ip('192.0.2.2')), true);
    assert.equal(isPrivate(ip('172.20.1.1')), true);
    assert.equal(isPrivate(ip('8.8.8.8')), false);
    assert.equal(isPrivate(ip('100.64.0.1')), false);
    assert.equal(isPrivate(ip('fd00::2')), true);
    assert.equal(isPrivate(ip('2a00:1450::1')), false);
  });
  it('sorts networks by address then prefix', () => {
    const nets = ['fe80::/64', 'fd00::/64', 'fd00::/48'].map((s) => parseNet(s)!);
    assert.deepEqual(nets.sort(compareNet).map(formatNet), ['fd00::/48', 'fd00::/64', 'fe80::/64']);
  });
});
