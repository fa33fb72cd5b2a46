import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeHost } from './fake-host.js';
import { dnsData, fqdnOf, gatewayData, hostnameData, hwaddrData, ipData, parseResolv } from './network.js';

const NICS = {
  lo: [
    {
      address: '127.0.0.1',
      family: 'IPv4',
      mac: '00:00:00:00:00:00',
      internal: true,
      netmask: '255.0.0.0',
      cidr: null,
    },
    { address: '::1', family: 'IPv6', mac: '00:00:00:00:00:00', internal: true, netmask: '', cidr: null, scopeid: 0 },
  ],
  eth0: [
    { address: '10.0.0.5', family: 'IPv4', mac: '02:fc:00:00:00:01', internal: false, netmask: '', cidr: null },
    {
      address: 'fe80::1%eth0',
      family: 'IPv6',
      mac: '02:fc:00:00:00:01',
      internal: false,
      netmask: '',
      cidr: null,
      scopeid: 2,
    },
  ],
} as ReturnType<ReturnType<typeof fakeHost>['interfaces']>;

describe('network grains', () => {
  it('fqdn through /etc/hosts; host and domain split at the first dot', () => {
    assert.equal(fqdnOf('web1', '127.0.1.1 web1.example.com web1\n'), 'web1.example.com');
    assert.equal(fqdnOf('web1', '127.0.0.1 localhost\n'), 'web1');
    const g = hostnameData(
      fakeHost({ hostname: 'web1', files: { '/etc/hosts': '10.0.0.5 web1.dc1.example.com web1' } }),
    );
    assert.deepEqual(g, {
      fqdn_ip4: ['10.0.0.5'],
      fqdn_ip6: [],
      localhost: 'web1',
      nodename: 'web1',
      fqdn: 'web1.dc1.example.com',
      host: 'web1',
      domain: 'dc1.example.com',
    });
  });

  it('ip_interfaces and friends, interfaces without addresses included', () => {
    const g = ipData(fakeHost({ interfaces: NICS, dirs: { '/sys/class/net': ['lo', 'ifb0', 'eth0'] } }));
    assert.deepEqual(g['ip4_interfaces'], { lo: ['127.0.0.1'], ifb0: [], eth0: ['10.0.0.5'] });
    assert.deepEqual(g['ip6_interfaces'], { lo: ['::1'], ifb0: [], eth0: ['fe80::1'] });
    assert.deepEqual(g['ip_interfaces'], { lo: ['127.0.0.1', '::1'], ifb0: [], eth0: ['10.0.0.5', 'fe80::1'] });
    assert.deepEqual(g['ipv4'], ['10.0.0.5', '127.0.0.1']);
    assert.deepEqual(g['ipv6'], ['::1', 'fe80::1']);
  });

  it('hwaddr_interfaces from sysfs, else Node', () => {
    const h = fakeHost({
      interfaces: NICS,
      dirs: { '/sys/class/net': ['lo', 'ifb0'] },
      files: { '/sys/class/net/ifb0/address': '1e:80:b4:e7:1c:a5\n' },
    });
    assert.deepEqual(hwaddrData(h), {
      hwaddr_interfaces: { lo: '00:00:00:00:00:00', ifb0: '1e:80:b4:e7:1c:a5', eth0: '02:fc:00:00:00:01' },
    });
  });

  it('dns: Salt parse_resolv shape', () => {
    const text =
      '# generated\nnameserver 10.255.255.53\nnameserver fd00::53\nsearch a.example b.example\noptions ndots:2\n';
    assert.deepEqual(parseResolv(text), {
      nameservers: ['10.255.255.53', 'fd00::53'],
      ip4_nameservers: ['10.255.255.53'],
      ip6_nameservers: ['fd00::53'],
      sortlist: [],
      domain: '',
      search: ['a.example', 'b.example'],
      options: ['ndots:2'],
    });
    assert.deepEqual(dnsData(fakeHost({})), {});
  });

  it('default gateways from ip route', () => {
    const ip4 = 'default via 192.0.2.1 dev eth0\n192.0.2.0/24 dev eth0 proto kernel\n';
    const h = fakeHost({ bins: { ip: { stdout: ip4 } } });
    // The fake answers the same for -4 and -6.
    assert.deepEqual(gatewayData(h), { ip_gw: true, ip4_gw: '192.0.2.1', ip6_gw: '192.0.2.1' });
    assert.deepEqual(gatewayData(fakeHost({ bins: { ip: { stdout: '10.0.0.0/8 dev eth0\n' } } })), {
      ip_gw: false,
      ip4_gw: false,
      ip6_gw: false,
    });
    assert.deepEqual(gatewayData(fakeHost({})), {});
  });
});
