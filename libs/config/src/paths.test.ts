import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig, applyRootDir } from './index.js';
import { configDir, removeDir } from './test-util.js';

test('root_dir prefixes every path key of the master', () => {
  const dir = configDir({ master: 'root_dir: /tmp/tsalt-root\n' });
  try {
    const opts = loadConfig('master', dir);
    assert.equal(opts.root_dir, '/tmp/tsalt-root');
    assert.equal(opts.pki_dir, '/tmp/tsalt-root/etc/tsalt/pki/master');
    assert.equal(opts.cachedir, '/tmp/tsalt-root/var/cache/tsalt/master');
    assert.equal(opts.sock_dir, '/tmp/tsalt-root/var/run/tsalt/master');
    assert.equal(opts.log_file, '/tmp/tsalt-root/var/log/tsalt/master');
    assert.equal(opts.key_logfile, '/tmp/tsalt-root/var/log/tsalt/key');
    assert.equal(opts.autosign_file, '/tmp/tsalt-root/etc/tsalt/autosign.conf');
    // Not a path key: file_roots stays as written, like Salt.
    assert.deepEqual(opts.file_roots, { base: ['/srv/salt'] });
  } finally {
    removeDir(dir);
  }
});

test('a path already under root_dir is not prefixed twice; a root of / changes nothing', () => {
  const dir = configDir({ minion: 'root_dir: /r\npki_dir: /r/pki\ncachedir: /cache\n', master: 'pki_dir: /keys\n' });
  try {
    const m = loadConfig('minion', dir);
    assert.equal(m.pki_dir, '/r/pki');
    assert.equal(m.cachedir, '/r/cache');
    assert.equal(m.sock_dir, '/r/var/run/tsalt/minion');
    assert.equal(loadConfig('master', dir).pki_dir, '/keys');
  } finally {
    removeDir(dir);
  }
});

test('a relative root_dir is resolved against the current directory', () => {
  const dir = configDir({});
  try {
    const opts = loadConfig('minion', dir, { root_dir: 'rel-root' });
    assert.equal(opts.root_dir, path.resolve('rel-root'));
    assert.equal(opts.pki_dir, path.join(path.resolve('rel-root'), 'etc/tsalt/pki/minion'));
  } finally {
    removeDir(dir);
  }
});

test('applyRootDir leaves URLs alone and puts relative paths under the root', () => {
  const opts: Record<string, unknown> = {
    root_dir: '/srv/r/',
    log_file: 'udp://loghost:514',
    cachedir: 'cache',
    sock_dir: '',
  };
  applyRootDir(opts, ['log_file', 'cachedir', 'sock_dir', 'pki_dir']);
  assert.deepEqual(opts, { root_dir: '/srv/r', log_file: 'udp://loghost:514', cachedir: '/srv/r/cache', sock_dir: '' });
});
