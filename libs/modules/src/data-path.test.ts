import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dictUpdate, filterBy, traverse } from './data-path.js';

const DATA = { pkg: { apache: 'httpd' }, roles: ['web', 'db'], users: [{ alice: { uid: 1 } }, { bob: 2 }] };

describe('traverse, dictUpdate, filterBy', () => {
  it('walks dicts and lists as Salt does', () => {
    assert.equal(traverse(DATA, 'pkg:apache', ''), 'httpd');
    assert.equal(traverse(DATA, 'pkg|apache', '', '|'), 'httpd');
    assert.equal(traverse(DATA, 'roles:1', ''), 'db');
    assert.equal(traverse(DATA, 'users:alice:uid', ''), 1);
    assert.equal(traverse(DATA, 'users:bob', ''), 2);
    assert.equal(traverse(DATA, 'pkg:nginx', 'none'), 'none');
    assert.equal(traverse(DATA, 'pkg:apache:x', 'none'), 'none');
    assert.equal(traverse(DATA, 'roles:9', 'none'), 'none');
  });

  it('merges recursively, lists only when asked', () => {
    const dest = { a: { b: 1, l: [1] }, c: 1 };
    assert.deepEqual(dictUpdate(dest, { a: { d: 2, l: [2] }, c: 3 }), { a: { b: 1, d: 2, l: [2] }, c: 3 });
    assert.deepEqual(dictUpdate({ l: [1, 2] }, { l: [2, 3] }, true), { l: [1, 2, 3] });
  });

  it('filter_by: glob keys, list values, default, base, merge', () => {
    const lookup = { Debian: { pkg: 'apache2' }, 'Red*': { pkg: 'httpd' }, default: { pkg: 'apache' } };
    assert.deepEqual(filterBy(lookup, 'os_family', { os_family: 'Debian' }), { pkg: 'apache2' });
    assert.deepEqual(filterBy(lookup, 'os_family', { os_family: 'RedHat' }), { pkg: 'httpd' });
    assert.deepEqual(filterBy(lookup, 'os_family', { os_family: 'Arch' }), { pkg: 'apache' });
    assert.deepEqual(filterBy({ db: 1, web: 2 }, 'roles', { roles: ['x', 'web'] }), 2);
    assert.equal(filterBy({ a: 1 }, 'os_family', {}), null);
    assert.deepEqual(filterBy(lookup, 'os_family', { os_family: 'Debian' }, { user: 'www' }), {
      pkg: 'apache2',
      user: 'www',
    });
    const withBase = { common: { port: 80, pkg: 'x' }, Debian: { pkg: 'apache2' } };
    assert.deepEqual(filterBy(withBase, 'os_family', { os_family: 'Debian' }, undefined, 'default', 'common'), {
      port: 80,
      pkg: 'apache2',
    });
    assert.throws(() => filterBy(lookup, 'os_family', { os_family: 'Debian' }, 'notadict'), /merge argument/);
  });
});
