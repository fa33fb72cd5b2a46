import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import {
  canonicalUnitName,
  hasGlob,
  parseRunlevel,
  parseUnitFiles,
  startLinkService,
  unitShortName,
} from './service-parse.js';
import { executionModulePlugins } from './index.js';

describe('systemctl and rc link parsers', () => {
  it('list-unit-files: short names, states, preset column ignored', () => {
    const out = [
      'ssh.service                            enabled         enabled',
      'getty@.service                         enabled         enabled',
      'rsync.service                          disabled        enabled',
      'systemd-journald.socket                static          -',
      'dbus.service                           static',
      'foo.scope                              transient       -',
      '',
      '5 unit files listed.',
    ].join('\n');
    assert.deepEqual(parseUnitFiles(out), {
      ssh: 'enabled',
      'getty@': 'enabled',
      rsync: 'disabled',
      'systemd-journald.socket': 'static',
      dbus: 'static',
    });
  });

  it('unit names', () => {
    assert.equal(canonicalUnitName('nginx'), 'nginx.service');
    assert.equal(canonicalUnitName('cron.timer'), 'cron.timer');
    assert.equal(unitShortName('cron.service'), 'cron');
    assert.equal(unitShortName('tmp.mount'), 'tmp.mount');
    assert.equal(unitShortName('README'), undefined);
  });

  it('runlevel: N 2, unknown in a container', () => {
    assert.equal(parseRunlevel('N 5\n'), '5');
    assert.equal(parseRunlevel('unknown\n'), '2');
  });

  it('rc start links', () => {
    assert.equal(startLinkService('S01ssh'), 'ssh');
    assert.equal(startLinkService('S20hwclock.sh'), 'hwclock.sh');
    assert.equal(startLinkService('K01ssh'), undefined);
    assert.equal(startLinkService('README'), undefined);
  });

  it('globbing names', () => {
    assert.ok(hasGlob('ss*'));
    assert.ok(hasGlob('ss?'));
    assert.ok(hasGlob('s[sh]d'));
    assert.ok(!hasGlob('sshd'));
  });
});

describe('service and pkg in the registry', () => {
  const reg = new Registry(
    { kind: 'module', opts: minionConfig({}), grains: {}, log: silentLogger() },
    executionModulePlugins(),
  );

  const loaded = reg.has('service.start') && reg.has('pkg.hold');
  it(
    'a name that could leave /etc/init.d or read as an option is refused with one line',
    { skip: !loaded && 'pkg or service not loaded on this host' },
    async () => {
      for (const bad of ['../etc/passwd', '-h', '']) {
        await assert.rejects(
          reg.call('service.start', [bad]),
          (e: unknown) => e instanceof Error && e.message.startsWith('Invalid service name'),
        );
      }
    },
  );

  it(
    "wrong arguments answer Salt's 'Passed invalid arguments'",
    { skip: !loaded && 'pkg or service not loaded on this host' },
    async () => {
      await assert.rejects(reg.call('service.status', []), /Passed invalid arguments to service.status/);
      await assert.rejects(reg.call('pkg.hold', [], { bogus: 1 }), /One of name, pkgs, or sources must be specified/);
    },
  );
});
