import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareDebianVersions,
  compareDicts,
  parseAptUpdate,
  parseDpkgInfo,
  parseDpkgList,
  parseDpkgSearch,
  parseJustPrint,
  parsePolicyCandidate,
  parseSelections,
} from './apt-parse.js';
import { failure, matchVersion, parseTargets } from './apt-change.js';

describe('dpkg and apt output parsers', () => {
  it('dpkg-query list: installed, removed (config-files), purge-desired, foreign arch, hold', () => {
    const out = [
      'install ok installed zsh 5.9-4+b2 amd64',
      'deinstall ok config-files mc 3:4.8.29-2 amd64',
      'purge ok installed oldlib 1.0-1 amd64',
      'hold ok installed tmux 3.3a-3 amd64',
      'install ok installed libc6 2.36-9 i386',
      'install ok installed tzdata 2024a-0 all',
      'unknown ok not-installed ghost <none> <none>',
      'deinstall ok installed going 2.0 amd64',
      '',
    ].join('\n');
    const p = parseDpkgList(out, 'amd64');
    assert.deepEqual(p.installed, {
      zsh: ['5.9-4+b2'],
      tmux: ['3.3a-3'],
      'libc6:i386': ['2.36-9'],
      tzdata: ['2024a-0'],
      going: ['2.0'],
    });
    assert.deepEqual(p.removed, { mc: ['3:4.8.29-2'] });
    assert.deepEqual(p.purge_desired, { oldlib: ['1.0-1'] });
  });

  it('apt-cache policy candidate, (none) as empty', () => {
    const policy = 'hello:\n  Installed: (none)\n  Candidate: 2.10-3\n  Version table:\n     2.10-3 500\n';
    assert.equal(parsePolicyCandidate(policy), '2.10-3');
    assert.equal(parsePolicyCandidate('x:\n  Installed: (none)\n  Candidate: (none)\n'), '');
    assert.equal(parsePolicyCandidate(''), '');
  });

  it('apt-get --just-print upgrade: Conf lines', () => {
    const out = [
      'Reading package lists...',
      'Inst bash [5.2.15-2+b2] (5.2.15-2+b13 Debian:12.11/stable [amd64])',
      'Conf bash (5.2.15-2+b13 Debian:12.11/stable [amd64])',
      'Conf libcap2 (1:2.66-4+deb12u3+b1 Debian-Security:12/stable-security [amd64])',
    ].join('\n');
    assert.deepEqual(parseJustPrint(out), { bash: '5.2.15-2+b13', libcap2: '1:2.66-4+deb12u3+b1' });
  });

  it('apt-get update: Get/Hit/Ign/Err', () => {
    const out = [
      'Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]',
      'Hit:2 http://deb.debian.org/debian-security bookworm-security InRelease',
      'Ign:3 http://example.org/repo stable InRelease',
      'Err:4 http://example.org/repo stable Release',
      'Reading package lists...',
    ].join('\n');
    const r = parseAptUpdate(out);
    assert.deepEqual(r.repos, {
      'http://deb.debian.org/debian bookworm InRelease': true,
      'http://deb.debian.org/debian-security bookworm-security InRelease': null,
      'http://example.org/repo stable InRelease': false,
      'http://example.org/repo stable Release': false,
    });
    assert.deepEqual(r.errors, ['http://example.org/repo stable Release']);
  });

  it('dpkg --get-selections', () => {
    assert.deepEqual(parseSelections('bash\t\t\t\t\tinstall\ntmux\t\thold\nmc\tdeinstall\n'), {
      install: ['bash'],
      hold: ['tmux'],
      deinstall: ['mc'],
    });
  });

  it('dpkg-query info blocks, multi-line description, empty fields left out', () => {
    const out =
      'package:sed\nversion:4.9-1\nsize:\nstatus:ii \ndescription:GNU stream editor\n sed reads files.\n*/~^*\n' +
      'package:mc\nversion:1\nstatus:rc \ndescription:file manager\n*/~^*\n';
    assert.deepEqual(parseDpkgInfo(out), [
      { package: 'sed', version: '4.9-1', status: 'ii', description: 'GNU stream editor\n sed reads files.' },
      { package: 'mc', version: '1', status: 'rc', description: 'file manager' },
    ]);
  });

  it('dpkg -S owner', () => {
    assert.equal(parseDpkgSearch('coreutils: /bin/ls\n'), 'coreutils');
    assert.equal(parseDpkgSearch('diversion by dash from: /bin/sh\ndash: /bin/sh\n'), 'dash');
    assert.equal(parseDpkgSearch(''), '');
  });

  it("compare_dicts: Salt's {name: {old, new}}", () => {
    assert.deepEqual(compareDicts({ a: '1', b: '2' }, { b: '3', c: '4' }), {
      a: { old: '1', new: '' },
      b: { old: '2', new: '3' },
      c: { old: '', new: '4' },
    });
  });

  it('Debian version ordering (epoch, tilde, revision)', () => {
    const lt = (a: string, b: string): void => assert.ok(compareDebianVersions(a, b) < 0, `${a} < ${b}`);
    lt('1.0', '1.1');
    lt('1.0~rc1', '1.0');
    lt('1.0', '1.0-1');
    lt('1.0-1', '1.0-2');
    lt('2.0', '1:0.1');
    lt('1.9', '1.10');
    lt('1.0a', '1.0b');
    lt('1.0', '1.0a');
    lt('1.0+b1', '1.0+b2');
    assert.equal(compareDebianVersions('1:2.0-1', '1:2.0-1'), 0);
    assert.equal(compareDebianVersions('01.0', '1.0'), 0);
  });
});

describe('pkg targets', () => {
  it('name (comma list) with version, pkgs with dict versions, duplicates refused', () => {
    assert.deepEqual(parseTargets('a,b', null, null, '1.0'), { params: { a: '1.0', b: '1.0' }, kind: 'repository' });
    assert.deepEqual(parseTargets(null, ['a', { b: '2.0-1' }], null), {
      params: { a: null, b: '2.0-1' },
      kind: 'repository',
    });
    assert.equal(parseTargets(null, null, null), null);
    assert.throws(() => parseTargets(null, ['a', 'a'], null), /duplicated packages names/);
    assert.throws(() => parseTargets(null, 'a', null), /pkgs must be a list/);
    assert.throws(() => parseTargets(null, null, [{ x: 'rel/x.deb' }]), /not absolute/);
  });

  it('version operators pick the newest match', () => {
    const av = ['2.10-3', '2.10-2', '2.9-1'];
    assert.equal(matchVersion('>=2.10', av), '2.10-3');
    assert.equal(matchVersion('<2.10-3', av), '2.10-2');
    assert.equal(matchVersion('>3', av), undefined);
    assert.equal(matchVersion('2.9-1', av), '2.9-1');
  });

  it("a failure's text carries Salt's 'Additional info follows'", () => {
    const e = failure('Problem encountered installing package(s)', {
      errors: ['E: Unable to locate package nope'],
      changes: {},
    });
    assert.equal(
      e.message,
      'Problem encountered installing package(s). Additional info follows:\n\nerrors:\n    - E: Unable to locate package nope\nchanges:\n    ----------',
    );
    assert.deepEqual(e.info, { errors: ['E: Unable to locate package nope'], changes: {} });
  });
});
