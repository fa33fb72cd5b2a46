import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pyJsonDumps } from './py-json.js';
import { classifyMysqlError, describeMysqlError, mysqlSettings } from './connection.js';

describe('pyJsonDumps (Salt json.dumps layout)', () => {
  test('separators, ASCII escapes, bytes and undefined', () => {
    assert.equal(
      pyJsonDumps({ fun: 'test.ping', arg: [1, 'a'], x: undefined }),
      '{"fun": "test.ping", "arg": [1, "a"]}',
    );
    assert.equal(pyJsonDumps('é😀\u007f'), '"\\u00e9\\ud83d\\ude00\\u007f"');
    assert.equal(pyJsonDumps(new TextEncoder().encode('hi')), '"hi"');
    assert.equal(pyJsonDumps([undefined, NaN]), '[null, null]');
    assert.equal(pyJsonDumps(undefined), 'null');
    assert.deepEqual(JSON.parse(pyJsonDumps({ a: { b: ['\n\t"'] } })), { a: { b: ['\n\t"'] } });
  });
});

describe('mysql settings and errors', () => {
  const s = mysqlSettings({
    'mysql.host': 'db',
    'mysql.port': '3307',
    'mysql.pass': 'hunter22',
    'mysql.ssl_ca': 'None',
  });

  test('settings: Salt defaults, port as int, None unset', () => {
    assert.deepEqual(s, {
      host: 'db',
      port: 3307,
      user: 'salt',
      pass: 'hunter22',
      db: 'salt',
      sslCa: undefined,
      sslCert: undefined,
      sslKey: undefined,
      batchMax: 500,
    });
  });

  test('one line per failure, never the password', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:3307'), {
      code: 'ECONNREFUSED',
      syscall: 'connect',
    });
    assert.equal(describeMysqlError(refused, s), 'MySQL server unavailable at db:3307: connect ECONNREFUSED');
    const agg = Object.assign(new AggregateError([refused], ''), { code: 'ECONNREFUSED' });
    assert.equal(describeMysqlError(agg, s), 'MySQL server unavailable at db:3307: connect ECONNREFUSED');
    const denied = Object.assign(new Error("Access denied for user 'salt'@'x' (using password: YES)"), {
      code: 'ER_ACCESS_DENIED_ERROR',
      errno: 1045,
      sqlMessage: "Access denied for user 'salt'@'x' (using password: YES)",
    });
    assert.equal(
      describeMysqlError(denied, s),
      "MySQL error at db:3307: Access denied for user 'salt'@'x' (using password: YES)",
    );
    assert.equal(describeMysqlError(new Error('bad host hunter22'), s), 'MySQL error at db:3307: bad host ******');
  });

  test('data errors are rejected, the rest retried', () => {
    assert.equal(classifyMysqlError({ errno: 1406, code: 'ER_DATA_TOO_LONG' }), 'reject');
    assert.equal(classifyMysqlError({ errno: 1146, code: 'ER_NO_SUCH_TABLE' }), 'retry');
    assert.equal(classifyMysqlError({ errno: 1045 }), 'retry');
    assert.equal(classifyMysqlError({ code: 'ECONNREFUSED' }), 'retry');
  });
});
