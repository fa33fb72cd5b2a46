import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, MASTER_DEFAULTS, MINION_DEFAULTS, KEY_SPECS, OPTIONAL_KEYS, DEFAULT_CONFIG_DIR } from './index.js';
import { configDir, removeDir } from './test-util.js';

test('a missing config file gives Salt defaults for the master', () => {
  const dir = configDir({});
  try {
    const opts = loadConfig('master', dir);
    assert.equal(opts.interface, '0.0.0.0');
    assert.equal(opts.publish_port, 4505);
    assert.equal(opts.ret_port, 4506);
    assert.equal(opts.worker_threads, 5);
    assert.equal(opts.timeout, 5);
    assert.equal(opts.gather_job_timeout, 10);
    assert.equal(opts.keep_jobs, 24);
    assert.equal(opts.keep_jobs_seconds, 86400);
    assert.equal(opts.auto_accept, false);
    assert.equal(opts.sign_pub_messages, true);
    assert.equal(opts.master_job_cache, 'local_cache');
    assert.equal(opts.max_request_size, 10485760);
    assert.deepEqual(opts.reactor, []);
    assert.equal(opts.root_dir, '/');
    assert.equal(opts.pki_dir, '/etc/tsalt/pki/master');
    assert.equal(opts.cachedir, '/var/cache/tsalt/master');
    assert.equal(opts.sock_dir, '/var/run/tsalt/master');
    assert.equal(opts.log_file, '/var/log/tsalt/master');
    assert.equal(opts.id, `${os.hostname()}_master`);
    assert.equal(opts.user, os.userInfo().username);
    assert.equal(opts.conf_file, path.join(dir, 'master'));
    assert.equal(opts.config_dir, dir);
  } finally {
    removeDir(dir);
  }
});

test('a missing config file gives Salt defaults for the minion', () => {
  const dir = configDir({});
  try {
    const opts = loadConfig('minion', dir);
    assert.equal(opts.master, 'salt');
    assert.equal(opts.master_port, 4506);
    assert.equal(opts.publish_port, 4505);
    assert.equal(opts.id, os.hostname());
    assert.equal(opts.acceptance_wait_time, 10);
    assert.equal(opts.recon_default, 1000);
    assert.equal(opts.recon_max, 10000);
    assert.equal(opts.recon_randomize, true);
    assert.equal(opts.auth_tries, 7);
    assert.equal(opts.return_retry_tries, 3);
    assert.equal(opts.sign_pub_messages, false);
    assert.equal(opts.return, '');
    assert.deepEqual(opts.grains, {});
    assert.equal(opts.pki_dir, '/etc/tsalt/pki/minion');
    assert.equal(opts.conf_file, path.join(dir, 'minion'));
  } finally {
    removeDir(dir);
  }
});

test('every default and optional key has a type', () => {
  for (const key of [
    ...Object.keys(MASTER_DEFAULTS),
    ...Object.keys(MINION_DEFAULTS),
    ...OPTIONAL_KEYS.master,
    ...OPTIONAL_KEYS.minion,
  ]) {
    assert.ok(KEY_SPECS[key], `no KEY_SPECS entry for '${key}'`);
  }
  assert.equal(DEFAULT_CONFIG_DIR, '/etc/tsalt');
});

test('defaults are frozen and loaded opts are independent copies', () => {
  assert.ok(Object.isFrozen(MASTER_DEFAULTS));
  assert.ok(Object.isFrozen(MASTER_DEFAULTS.reactor));
  const dir = configDir({});
  try {
    const a = loadConfig('master', dir);
    a.reactor.push({ 'salt/*': ['x.sls'] });
    const b = loadConfig('master', dir);
    assert.deepEqual(b.reactor, []);
  } finally {
    removeDir(dir);
  }
});

test('log_level_logfile follows log_level unless set', () => {
  const dir = configDir({ master: 'log_level: debug\n', minion: 'log_level: info\nlog_level_logfile: error\n' });
  try {
    assert.equal(loadConfig('master', dir).log_level_logfile, 'debug');
    const m = loadConfig('minion', dir);
    assert.equal(m.log_level, 'info');
    assert.equal(m.log_level_logfile, 'error');
  } finally {
    removeDir(dir);
  }
});
