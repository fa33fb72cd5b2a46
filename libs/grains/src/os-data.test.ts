import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeHost } from './fake-host.js';
import { deriveOs, kernelData, lsbDistrib, osArch, osRelease, osReleaseInfo, parseEnvFile } from './os-data.js';

const DEBIAN = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
`;
const UBUNTU = 'NAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\n';
const ROCKY = 'NAME="Rocky Linux"\nVERSION_ID="9.3"\nID="rocky"\nID_LIKE="rhel centos fedora"\n';

describe('os grains', () => {
  it('parses os-release lines, quoted or not', () => {
    assert.deepEqual(parseEnvFile('A="x y"\nB=z\n# c\nC=\'q\'\n'), { A: 'x y', B: 'z', C: 'q' });
  });

  it('derives os as Salt does', () => {
    assert.equal(deriveOs('Debian GNU/Linux'), 'Debian');
    assert.equal(deriveOs('Ubuntu'), 'Ubuntu');
    assert.equal(deriveOs('Rocky Linux'), 'Rocky');
    assert.equal(deriveOs('CentOS Stream'), 'CentOS Stream');
    assert.equal(deriveOs('Linux Mint'), 'Mint');
  });

  it('Debian: os, os_family, osfullname, oscodename, osrelease', () => {
    assert.deepEqual(osRelease(fakeHost({ files: { '/etc/os-release': DEBIAN } })), {
      os: 'Debian',
      os_family: 'Debian',
      osfullname: 'Debian GNU/Linux',
      oscodename: 'bookworm',
      osrelease: '12',
    });
  });

  it('derivatives: Ubuntu is Debian, Rocky is RedHat', () => {
    assert.equal(osRelease(fakeHost({ files: { '/etc/os-release': UBUNTU } }))['os_family'], 'Debian');
    const rocky = osRelease(fakeHost({ files: { '/etc/os-release': ROCKY } }));
    assert.equal(rocky['os'], 'Rocky');
    assert.equal(rocky['os_family'], 'RedHat');
    assert.equal(rocky['oscodename'], undefined);
  });

  it('no os-release: no grains', () => {
    assert.deepEqual(osRelease(fakeHost({})), {});
  });

  it('osrelease_info, osmajorrelease, osfinger', () => {
    const h = fakeHost({});
    assert.deepEqual(osReleaseInfo(h, { os: 'Debian', osrelease: '12' }), {
      osrelease_info: [12],
      osmajorrelease: 12,
      osfinger: 'Debian-12',
    });
    assert.deepEqual(osReleaseInfo(h, { os: 'Ubuntu', osfullname: 'Ubuntu', osrelease: '22.04' }), {
      osrelease_info: [22, 4],
      osmajorrelease: 22,
      osfinger: 'Ubuntu-22.04',
    });
    assert.deepEqual(osReleaseInfo(h, {}), {});
  });

  it('lsb_distrib_* from /etc/lsb-release, else os-release', () => {
    const lsb =
      'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION="Ubuntu 22.04 LTS"\n';
    assert.deepEqual(lsbDistrib(fakeHost({ files: { '/etc/lsb-release': lsb } })), {
      lsb_distrib_id: 'Ubuntu',
      lsb_distrib_release: '22.04',
      lsb_distrib_codename: 'jammy',
      lsb_distrib_description: 'Ubuntu 22.04 LTS',
    });
    assert.deepEqual(lsbDistrib(fakeHost({ files: { '/etc/os-release': DEBIAN } })), {
      lsb_distrib_id: 'Debian GNU/Linux',
      lsb_distrib_release: '12',
      lsb_distrib_codename: 'bookworm',
    });
  });

  it('kernel grains and osarch (dpkg, else the Debian name of cpuarch)', () => {
    const k = kernelData(fakeHost({}));
    assert.deepEqual(k, {
      kernel: 'Linux',
      kernelrelease: '6.1.0-18-amd64',
      kernelversion: '#1 SMP Debian 6.1.76-1',
      cpuarch: 'x86_64',
    });
    const dpkg = fakeHost({ bins: { dpkg: { stdout: 'arm64\n' } } });
    assert.deepEqual(osArch(dpkg, { os_family: 'Debian', cpuarch: 'aarch64' }), { osarch: 'arm64' });
    assert.deepEqual(osArch(fakeHost({}), { os_family: 'Debian', cpuarch: 'x86_64' }), { osarch: 'amd64' });
    assert.deepEqual(osArch(fakeHost({}), { os_family: 'Arch', cpuarch: 'x86_64' }), { osarch: 'x86_64' });
  });
});
