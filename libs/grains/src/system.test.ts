import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeHost } from './fake-host.js';
import {
  initSystem,
  kernelParams,
  localeInfo,
  machineId,
  parseLocale,
  processUser,
  selinuxData,
  serverId,
  shellAndPath,
  systemdData,
} from './system.js';

describe('system grains', () => {
  it('machine_id', () => {
    assert.deepEqual(machineId(fakeHost({ files: { '/etc/machine-id': 'abc123\n' } })), { machine_id: 'abc123' });
    assert.deepEqual(machineId(fakeHost({})), {});
  });

  it('init: systemd, PID 1 command line, unknown', () => {
    assert.deepEqual(initSystem(fakeHost({ files: { '/run/systemd/system/x': '' } })), { init: 'systemd' });
    const tini = fakeHost({
      files: { '/proc/1/cmdline': '/usr/bin/tini\0--\0node\0' },
      bins: { tini: { stdout: '' } },
    });
    assert.deepEqual(initSystem(tini), { init: 'tini' });
    assert.deepEqual(initSystem(fakeHost({ files: { '/proc/1/cmdline': 'runit\0' } })), { init: 'runit' });
    assert.deepEqual(initSystem(fakeHost({ files: { '/proc/1/cmdline': '/bin/sh\0' } })), { init: 'unknown' });
  });

  it('systemd only with systemctl and localectl', () => {
    const out = 'systemd 252 (252.22-1~deb12u1)\n+PAM +AUDIT\n';
    const both = fakeHost({ bins: { systemctl: { stdout: out }, localectl: { stdout: '' } } });
    assert.deepEqual(systemdData(both), { systemd: { version: '252', features: '+PAM +AUDIT' } });
    assert.deepEqual(systemdData(fakeHost({ bins: { systemctl: { stdout: out } } })), {});
  });

  it('selinux when selinuxenabled exists', () => {
    const h = fakeHost({ bins: { selinuxenabled: { stdout: '', status: 1 }, getenforce: { stdout: 'Disabled\n' } } });
    assert.deepEqual(selinuxData(h), { selinux: { enabled: false, enforced: 'Disabled' } });
    assert.deepEqual(selinuxData(fakeHost({})), {});
  });

  it('shell, path, systempath', () => {
    assert.deepEqual(shellAndPath(fakeHost({ env: { SHELL: '/bin/bash', PATH: '/usr/bin:/bin' } })), {
      shell: '/bin/bash',
      path: '/usr/bin:/bin',
      systempath: ['/usr/bin', '/bin'],
    });
    assert.equal(shellAndPath(fakeHost({}))['shell'], '/bin/sh');
  });

  it('locale_info as Python getlocale reads it', () => {
    assert.deepEqual(parseLocale('C.UTF-8'), ['en_US', 'UTF-8']);
    assert.deepEqual(parseLocale('de_DE.utf8'), ['de_DE', 'UTF-8']);
    assert.deepEqual(parseLocale('C'), [null, null]);
    assert.deepEqual(localeInfo(fakeHost({ env: { LANG: 'fr_FR.UTF-8' } })), {
      locale_info: { defaultlanguage: 'fr_FR', defaultencoding: 'UTF-8', detectedencoding: 'utf-8', timezone: 'UTC' },
    });
  });

  it('username, uid, gid, groupname, pid', () => {
    assert.deepEqual(processUser(fakeHost({ files: { '/etc/group': 'root:x:0:\nadm:x:4:\n' } })), {
      username: 'root',
      uid: 0,
      gid: 0,
      pid: 4242,
      groupname: 'root',
    });
  });

  it('server_id and kernelparams as Salt computes them', () => {
    assert.equal(serverId('peer-1'), 1658602683);
    assert.deepEqual(kernelParams(fakeHost({ files: { '/proc/cmdline': 'console=ttyS0 quiet root="/dev/vda"\n' } })), {
      kernelparams: [
        ['console', 'ttyS0'],
        ['quiet', null],
        ['root', '/dev/vda'],
      ],
    });
  });
});
