import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig, ConfigError } from './index.js';
import { configDir, removeDir } from './test-util.js';

/** Loads a master whose main file is `yaml` and returns the error message. */
function errorFor(
  role: 'master' | 'minion',
  yaml: string,
  overrides?: Record<string, unknown>,
): { message: string; file: string } {
  const dir = configDir({ [role]: yaml });
  try {
    loadConfig(role, dir, overrides);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.ok(!err.message.includes('\n'));
    return { message: err.message, file: path.join(dir, role) };
  } finally {
    removeDir(dir);
  }
  assert.fail(`no error for ${yaml}`);
}

test('a wrong type names the key and the file', () => {
  const { message, file } = errorFor('master', 'ret_port: abc\n');
  assert.equal(message, `Invalid value for 'ret_port' in ${file}: expected an integer, got "abc"`);
});

test('each kind of check has its own message', () => {
  const cases: [string, 'master' | 'minion', string, string][] = [
    ['publish_port: 70000', 'master', 'publish_port', 'expected a port number (1-65535), got 70000'],
    ['master_port: 0', 'minion', 'master_port', 'expected a port number (1-65535), got 0'],
    ['worker_threads: "5"', 'master', 'worker_threads', 'expected an integer, got "5"'],
    ['keep_jobs: 1.5', 'master', 'keep_jobs', 'expected an integer, got 1.5'],
    ['auto_accept: "yes"', 'master', 'auto_accept', 'expected true or false, got "yes"'],
    ['open_mode: 1', 'master', 'open_mode', 'expected true or false, got 1'],
    ['interface: 10', 'master', 'interface', 'expected a string, got 10'],
    ['master: [a, 1]', 'minion', 'master', 'expected a string or a list of strings, got ["a",1]'],
    ['reactor: {a: b}', 'master', 'reactor', 'expected a list, got {"a":"b"}'],
    ['grains: [a]', 'minion', 'grains', 'expected a mapping, got ["a"]'],
    [
      'log_level: loud',
      'minion',
      'log_level',
      'expected one of all, garbage, trace, debug, profile, info, warning, error, critical, quiet, got "loud"',
    ],
    ['worker_threads: 0', 'master', 'worker_threads', 'expected an integer >= 1, got 0'],
    ['ret_port: 4506.5', 'master', 'ret_port', 'expected an integer, got 4506.5'],
    ['acceptance_wait_time: -1', 'minion', 'acceptance_wait_time', 'expected a number >= 0, got -1'],
    ['master_finger:', 'minion', 'master_finger', 'expected a string, got null'],
  ];
  for (const [yaml, role, key, tail] of cases) {
    const { message, file } = errorFor(role, yaml + '\n');
    assert.equal(message, `Invalid value for '${key}' in ${file}: ${tail}`);
  }
});

test('the error names a .d file when the bad value came from there', () => {
  const dir = configDir({ master: 'timeout: 5\n', 'master.d/50-x.conf': 'timeout: soon\n' });
  try {
    assert.throws(() => loadConfig('master', dir), {
      message: `Invalid value for 'timeout' in ${path.join(dir, 'master.d', '50-x.conf')}: expected a number, got "soon"`,
    });
  } finally {
    removeDir(dir);
  }
});

test('a bad override is blamed on the command line', () => {
  const { message } = errorFor('minion', '', { log_level: 'shout' });
  assert.match(message, /^Invalid value for 'log_level' in the command line: /);
});

test('accepted forms: 5.0 for an integer, floats for durations, nullable strings, case-insensitive names', () => {
  const dir = configDir({
    minion: 'master_port: 4506.0\nauth_timeout: 2.5\nsaltenv: null\nlog_level: DEBUG\nhash_type: SHA512\n',
  });
  try {
    const opts = loadConfig('minion', dir);
    assert.equal(opts.master_port, 4506);
    assert.equal(opts.auth_timeout, 2.5);
    assert.equal(opts.saltenv, null);
    assert.equal(opts.log_level, 'debug');
    assert.equal(opts.hash_type, 'sha512');
  } finally {
    removeDir(dir);
  }
});
