import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  hexToIp,
  parseIpAddr,
  parseIpRoutes,
  parseNetstat,
  parseNetstatRoutes,
  parseProcTcp,
  parseSs,
} from './net-parse.js';

const IP_ADDR = `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
    inet6 ::1/128 scope host 
       valid_lft forever preferred_lft forever
2: ifb0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN group default qlen 32
    link/ether 1e:80:b4:e7:1c:a5 brd ff:ff:ff:ff:ff:ff
4: eth0@if9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc pfifo_fast state UP group default qlen 1000
    link/ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff
    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0
       valid_lft forever preferred_lft forever
    inet 192.0.2.9/24 scope global secondary eth0:1
       valid_lft forever preferred_lft forever
    inet6 fd00::2/64 scope global nodad 
       valid_lft forever preferred_lft forever
5: tun0: <POINTOPOINT,NOARP,UP> mtu 1500 qdisc noop state DOWN group default qlen 500
    link/none 
    inet 10.8.0.1 peer 10.8.0.2/32 scope global tun0
`;

describe('parseIpAddr (Salt interfaces shape)', () => {
  const r = parseIpAddr(IP_ADDR);
  it('lists interfaces in order with up, hwaddr, inet and inet6', () => {
    assert.deepEqual(Object.keys(r), ['lo', 'ifb0', 'eth0', 'tun0']);
    assert.deepEqual(r['lo'], {
      up: true,
      hwaddr: '00:00:00:00:00:00',
      inet: [{ address: '127.0.0.1', netmask: '255.0.0.0', broadcast: null, label: 'lo' }],
      inet6: [{ address: '::1', prefixlen: '128', scope: 'host' }],
    });
    assert.deepEqual(r['ifb0'], { up: false, hwaddr: '1e:80:b4:e7:1c:a5' });
  });
  it('keeps the parent of a veth, secondaries apart, and a bare address as /32', () => {
    const eth0 = r['eth0'];
    assert.equal(eth0?.parent, 'if9');
    assert.deepEqual(eth0?.inet, [
      { address: '192.0.2.2', netmask: '255.255.255.0', broadcast: '192.0.2.255', label: 'eth0' },
    ]);
    assert.deepEqual(eth0?.secondary, [
      { type: 'inet', address: '192.0.2.9', netmask: '255.255.255.0', broadcast: null, label: 'eth0:1' },
    ]);
    assert.deepEqual(r['tun0']?.inet?.[0], {
      address: '10.8.0.1',
      netmask: '255.255.255.255',
      broadcast: null,
      label: 'tun0',
    });
    assert.equal(r['tun0']?.hwaddr, undefined);
  });
  it('a later block for the same interface (ip link, then ip addr) wins', () => {
    const link = '4: eth0: <BROADCAST,UP> mtu 1400\n    link/ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n';
    assert.deepEqual(Object.keys(parseIpAddr(`${link}\n${IP_ADDR}`)), ['eth0', 'lo', 'ifb0', 'tun0']);
    assert.ok(parseIpAddr(`${link}\n${IP_ADDR}`)['eth0']?.inet);
  });
});

describe('routes', () => {
  it('netstat -rn, both families', () => {
    const v4 = `Kernel IP routing table
Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface
0.0.0.0         192.0.2.1       0.0.0.0         UG        0 0          0 eth0
192.0.2.0       0.0.0.0         255.255.255.0   U         0 0          0 eth0`;
    const v6 = `Kernel IPv6 routing table
Destination                    Next Hop                   Flag Met Ref  Use If
fd00::/64                      ::                         U    256 1      0 eth0
::/0                           ::                         !n   -1  1      0 lo`;
    const r = parseNetstatRoutes(v4, v6);
    assert.equal(r.length, 4);
    assert.deepEqual(r[0], {
      addr_family: 'inet',
      destination: '0.0.0.0',
      gateway: '192.0.2.1',
      netmask: '0.0.0.0',
      flags: 'UG',
      interface: 'eth0',
    });
    assert.deepEqual(r[3], {
      addr_family: 'inet6',
      destination: '::/0',
      gateway: '::',
      netmask: '',
      flags: '!n',
      interface: 'lo',
    });
  });
  it('ip route, in netstat shape', () => {
    const v4 =
      'default via 192.0.2.1 dev eth0 \n192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2 \nunreachable 10.9.0.0/16\n';
    const v6 =
      'fd00::/64 dev eth0 proto kernel metric 256 pref medium\ndefault via fd00::1 dev eth0 metric 1024 pref medium\nlocal ::1 dev lo table local proto kernel metric 0 pref medium\nmulticast ff00::/8 dev eth0 table local\n';
    const r = parseIpRoutes(v4, v6);
    assert.deepEqual(
      r.map((x) => [x.destination, x.gateway, x.netmask, x.flags, x.interface]),
      [
        ['0.0.0.0', '192.0.2.1', '0.0.0.0', 'UG', 'eth0'],
        ['192.0.2.0', '0.0.0.0', '255.255.255.0', 'U', 'eth0'],
        ['fd00::/64', '::', '', 'U', 'eth0'],
        ['::/0', 'fd00::1', '', 'UG', 'eth0'],
        ['::1/128', '::', '', 'U', 'lo'],
      ],
    );
  });
});

describe('sockets', () => {
  it('netstat -tulpnea', () => {
    const out = `Active Internet connections (servers and established)
Proto Recv-Q Send-Q Local Address           Foreign Address         State       User       Inode      PID/Program name
tcp        0      0 0.0.0.0:2024            0.0.0.0:*               LISTEN      0          580        12/sshd
udp        0      0 0.0.0.0:68              0.0.0.0:*                           0          901        33/dhclient`;
    assert.deepEqual(parseNetstat(out), [
      {
        proto: 'tcp',
        'recv-q': '0',
        'send-q': '0',
        'local-address': '0.0.0.0:2024',
        'remote-address': '0.0.0.0:*',
        state: 'LISTEN',
        user: '0',
        inode: '580',
        program: '12/sshd',
      },
      {
        proto: 'udp',
        'recv-q': '0',
        'send-q': '0',
        'local-address': '0.0.0.0:68',
        'remote-address': '0.0.0.0:*',
        user: '0',
        inode: '901',
        program: '33/dhclient',
      },
    ]);
  });
  it('ss -tulpnea', () => {
    const out = `Netid State     Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess
tcp   ESTAB     0      0          192.0.2.2:50912 203.0.113.80:80   users:(("curl",pid=5,fd=3)) uid:1000 ino:77 sk:2 <->`;
    assert.deepEqual(parseSs(out), [
      {
        proto: 'tcp',
        'recv-q': '0',
        'send-q': '0',
        'local-address': '192.0.2.2:50912',
        'remote-address': '203.0.113.80:80',
        state: 'ESTABLISHED',
        user: '1000',
        inode: '77',
        program: 'curl',
      },
    ]);
  });
  it('/proc/net/tcp and tcp6: only ESTABLISHED, numbered from 0', () => {
    const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 580 1
   1: 020200C0:C6E0 507100CB:0050 01 00000000:00000000 03:00000AD2 00000000     0        0 0 3`;
    const tcp6 = `  sl  local_address                         remote_address                        st
   0: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:D431 01 0`;
    assert.deepEqual(parseProcTcp(tcp, tcp6), {
      '0': { local_addr: '192.0.2.2', local_port: 50912, remote_addr: '203.0.113.80', remote_port: 80 },
      '1': { local_addr: '127.0.0.1', local_port: 8080, remote_addr: '127.0.0.1', remote_port: 54321 },
    });
    assert.equal(hexToIp('000080FE00000000FF00FC00010000FE'), 'fe80::fc:ff:fe00:1');
  });
});
