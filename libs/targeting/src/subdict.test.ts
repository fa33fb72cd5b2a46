import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subdictMatch, traverse } from './subdict.js';

const grains = {
  os: 'Debian',
  osrelease: '12',
  num_cpus: 4,
  virtual: true,
  roles: ['web', 'db'],
  ipv4: ['10.0.0.5', '127.0.0.1'],
  locale_info: { defaultlanguage: 'en_US', timezone: 'UTC' },
  url: 'http://x',
  disks: [{ name: 'sda', size: 100 }, { name: 'sdb' }],
  empty: {},
  none: null,
};

test('key:value with glob, case-insensitive', () => {
  assert.equal(subdictMatch(grains, 'os:Debian', ':', 'glob'), true);
  assert.equal(subdictMatch(grains, 'os:debian', ':', 'glob'), true);
  assert.equal(subdictMatch(grains, 'os:Deb*', ':', 'glob'), true);
  assert.equal(subdictMatch(grains, 'os:RedHat', ':', 'glob'), false);
  assert.equal(subdictMatch(grains, 'missing:x', ':', 'glob'), false);
  assert.equal(subdictMatch(grains, 'os', ':', 'glob'), false);
});

test('non-string values compare as Python str()', () => {
  assert.equal(subdictMatch(grains, 'num_cpus:4', ':', 'glob'), true);
  assert.equal(subdictMatch(grains, 'virtual:True', ':', 'glob'), true);
  assert.equal(subdictMatch(grains, 'none:None', ':', 'glob'), true);
});

test('nested dicts, lists element-wise, delimiter inside the value', () => {
  assert.equal(subdictMatch(grains, 'locale_info:timezone:UTC', ':', 'glob'), true);
  assert.equal(subdictMatch(grains, 'locale_info:timezone', ':', 'glob'), true); // key exists
  assert.equal(subdictMatch(grains, 'roles:db', ':', 'glob'), true);
  assert.equal(subdictMatch(grains, 'roles:mail', ':', 'glob'), false);
  assert.equal(subdictMatch(grains, 'url:http://x', ':', 'glob'), true);
  assert.equal(subdictMatch(grains, 'disks:name:sdb', ':', 'glob'), true);
  assert.equal(subdictMatch(grains, 'disks:0:name:sda', ':', 'glob'), true);
  assert.equal(subdictMatch(grains, 'empty:*', ':', 'glob'), false);
  assert.equal(subdictMatch(grains, 'locale_info:*', ':', 'glob'), true);
});

test('custom delimiter', () => {
  assert.equal(subdictMatch(grains, 'locale_info|timezone|UTC', '|', 'glob'), true);
  assert.equal(subdictMatch(grains, 'url|http://x', '|', 'glob'), true);
  assert.equal(subdictMatch(grains, 'os:Debian', '|', 'glob'), false);
});

test('pcre is re.match (start-anchored) on lowercased text, exact is equality', () => {
  assert.equal(subdictMatch(grains, 'os:deb', ':', 'pcre'), true);
  assert.equal(subdictMatch(grains, 'os:ebian', ':', 'pcre'), false);
  assert.equal(subdictMatch(grains, 'os:(Debian|Ubuntu)$', ':', 'pcre'), true);
  assert.equal(subdictMatch(grains, 'os:Deb(', ':', 'pcre'), false);
  assert.equal(subdictMatch(grains, 'os:Debian', ':', 'exact'), true);
  assert.equal(subdictMatch(grains, 'os:Deb*', ':', 'exact'), false);
});

test('*: searches under every top-level key', () => {
  // Verified against Salt's own function: '*:' looks at top-level values and
  // list items, and at keys (not values) of nested dicts.
  assert.equal(subdictMatch(grains, '*:UTC', ':', 'glob'), false);
  assert.equal(subdictMatch(grains, '*:timezone', ':', 'glob'), true);
  assert.equal(subdictMatch(grains, '*:debian', ':', 'glob'), true);
  assert.equal(subdictMatch(grains, '*:db', ':', 'glob'), true);
  assert.equal(subdictMatch(grains, '*:nothing', ':', 'glob'), false);
});

test('traverse handles lists and missing keys', () => {
  assert.equal(traverse(grains, 'roles:1', ':'), 'db');
  assert.equal(traverse(grains, 'roles:-1', ':'), 'db');
  assert.deepEqual(traverse(grains, 'roles:5', ':'), {});
  assert.equal(traverse(grains, 'disks:size', ':'), 100);
  assert.deepEqual(traverse(undefined, 'a', ':'), {});
});
