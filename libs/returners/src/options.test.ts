import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { optionInt, optionString, returnerOptions } from './options.js';

const DEFAULTS = { host: 'salt', user: 'salt', pass: 'salt', db: 'salt', port: 3306, ssl_ca: null };

describe('returnerOptions (Salt get_returner_options)', () => {
  test('defaults, then <name>.<key>, flat or nested', () => {
    assert.deepEqual(returnerOptions({}, 'mysql', DEFAULTS), DEFAULTS);
    const o = returnerOptions({ 'mysql.host': 'db1', mysql: { port: '3307', user: 'u' } }, 'mysql', DEFAULTS);
    assert.deepEqual(o, { ...DEFAULTS, host: 'db1', port: '3307', user: 'u' });
  });

  test("ret_config prefix first, falling back to the plain keys; 'None' is unset", () => {
    const opts = {
      'mysql.host': 'db1',
      'mysql.db': 'main',
      'alt.mysql.host': 'db2',
      'alt.mysql.db': 'None',
      alt: { mysql: { user: 'altuser' } },
      'mysql.ssl_ca': 'None',
    };
    const o = returnerOptions(opts, 'mysql', DEFAULTS, { ret_config: 'alt' });
    assert.equal(o.host, 'db2');
    assert.equal(o.db, 'main');
    assert.equal(o.user, 'altuser');
    assert.equal(o.ssl_ca, null);
    assert.equal(returnerOptions(opts, 'mysql', DEFAULTS).host, 'db1');
  });

  test('ret_kwargs win over everything, as a mapping or JSON text', () => {
    const opts = { 'mysql.db': 'main', 'alt.mysql.db': 'other' };
    assert.equal(returnerOptions(opts, 'mysql', DEFAULTS, { ret_config: 'alt', ret_kwargs: { db: 'x' } }).db, 'x');
    assert.equal(returnerOptions(opts, 'mysql', DEFAULTS, { ret_kwargs: '{"db": "y"}' }).db, 'y');
    assert.equal(returnerOptions(opts, 'mysql', DEFAULTS, { ret_kwargs: 'not json' }).db, 'main');
    // Only the keys named in defaults are resolved.
    assert.equal('other' in returnerOptions(opts, 'mysql', DEFAULTS, { ret_kwargs: { other: 1 } }), false);
  });

  test('coercion helpers', () => {
    assert.equal(optionInt('3307', 3306), 3307);
    assert.equal(optionInt(null, 3306), 3306);
    assert.equal(optionInt('x', 1), 1);
    assert.equal(optionString(5), '5');
    assert.equal(optionString(''), undefined);
    assert.equal(optionString(null), undefined);
  });
});
