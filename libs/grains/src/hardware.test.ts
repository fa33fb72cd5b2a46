import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeHost } from './fake-host.js';
import { cpuData, diskData, dmiData, memData, uefiData, virtualData } from './hardware.js';

describe('hardware grains', () => {
  it('cpu from /proc/cpuinfo', () => {
    const info =
      'processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu vme sse2\n\nprocessor\t: 1\nmodel name\t: AMD EPYC\n';
    assert.deepEqual(cpuData(fakeHost({ files: { '/proc/cpuinfo': info } })), {
      num_cpus: 2,
      cpu_model: 'AMD EPYC',
      cpu_flags: ['fpu', 'vme', 'sse2'],
    });
    assert.deepEqual(cpuData(fakeHost({})), { num_cpus: 4, cpu_model: 'Unknown', cpu_flags: [] });
  });

  it('mem_total and swap_total in MiB, floored', () => {
    const info = 'MemTotal:       24683520 kB\nMemFree: 1 kB\nSwapTotal:       2097148 kB\n';
    assert.deepEqual(memData(fakeHost({ files: { '/proc/meminfo': info } })), { mem_total: 24105, swap_total: 2047 });
    assert.deepEqual(memData(fakeHost({})), { mem_total: 0, swap_total: 0 });
  });

  it('DMI from sysfs, uuid lowercased, unreadable files skipped', () => {
    const d = '/sys/class/dmi/id';
    const files = {
      [`${d}/sys_vendor`]: 'QEMU\n',
      [`${d}/product_name`]: 'Standard PC (Q35 + ICH9, 2009)\n',
      [`${d}/product_uuid`]: 'ABCD-EF\n',
      [`${d}/bios_version`]: '1.16.2\n',
    };
    assert.deepEqual(dmiData(fakeHost({ files })), {
      manufacturer: 'QEMU',
      productname: 'Standard PC (Q35 + ICH9, 2009)',
      uuid: 'abcd-ef',
      biosversion: '1.16.2',
    });
    assert.deepEqual(dmiData(fakeHost({})), {});
  });

  it('virtual: systemd-detect-virt, DMI, container cgroups, physical', () => {
    assert.deepEqual(virtualData(fakeHost({ bins: { 'systemd-detect-virt': { stdout: 'kvm\n' } } })), {
      virtual: 'kvm',
    });
    const dmi = { '/sys/class/dmi/id/product_name': 'VirtualBox\n' };
    assert.deepEqual(virtualData(fakeHost({ files: dmi })), { virtual: 'VirtualBox' });
    const docker = { '/proc/1/cgroup': '0::/system.slice/docker-1234.scope\n1:cpu:/docker/abc\n' };
    assert.deepEqual(virtualData(fakeHost({ files: docker })), { virtual: 'container', virtual_subtype: 'Docker' });
    // Salt leaves systemd-detect-virt's "docker" to the cgroup check: a flat cgroup reads physical.
    const flat = fakeHost({
      bins: { 'systemd-detect-virt': { stdout: 'docker\n' } },
      files: { '/proc/1/cgroup': '0::/\n' },
    });
    assert.deepEqual(virtualData(flat), { virtual: 'physical' });
  });

  it('disks and ssds from /sys/block, virtual devices skipped', () => {
    const h = fakeHost({
      dirs: { '/sys/block': ['vda', 'sda', 'loop0'] },
      links: { '/sys/block/loop0': '../devices/virtual/block/loop0', '/sys/block/vda': '../devices/pci0/vda' },
      files: {
        '/sys/block/vda/queue/rotational': '1\n',
        '/sys/block/sda/queue/rotational': '0\n',
        '/sys/block/loop0/queue/rotational': '1\n',
      },
    });
    assert.deepEqual(diskData(h), { disks: ['vda'], ssds: ['sda'] });
  });

  it('efi and efi-secure-boot', () => {
    assert.deepEqual(uefiData(fakeHost({})), { efi: false, 'efi-secure-boot': false });
    const d = '/sys/firmware/efi/efivars';
    const h = fakeHost({
      dirs: { [d]: ['SecureBoot-8be4df61'] },
      files: { [`${d}/SecureBoot-8be4df61`]: '\x06\0\0\0\x01' },
    });
    assert.deepEqual(uefiData(h), { efi: true, 'efi-secure-boot': true });
  });
});
