import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig, ConfigError } from './index.js';
import { configDir, recordingLogger, removeDir } from './test-util.js';

function withDir(files: Record<string, string>, fn: (dir: string) => void): void {
  const dir = configDir(files);
  try {
    fn(dir);
  } finally {
    removeDir(dir);
  }
}

test('master.d/*.conf are read in sorted order, later files win over earlier ones and the main file', () => {
  withDir(
    {
      master: 'timeout: 7\nret_port: 5000\nworker_threads: 9\n',
      'master.d/10-b.conf': 'timeout: 30\n',
      'master.d/02-a.conf': 'timeout: 20\nret_port: 5001\n',
      'master.d/notes.txt': 'timeout: 99\n',
      'master.d/.hidden.conf': 'timeout: 98\n',
    },
    (dir) => {
      const opts = loadConfig('master', dir);
      assert.equal(opts.timeout, 30);
      assert.equal(opts.ret_port, 5001);
      assert.equal(opts.worker_threads, 9);
    },
  );
});

test('files of master.d merge mappings and lists like Salt; the main file is replaced', () => {
  withDir(
    {
      master: 'reactor:\n  - main/*: [/srv/reactor/main.sls]\n',
      'master.d/a.conf': "reactor:\n  - 'salt/auth': [/srv/reactor/auth.sls]\npeer:\n  web.*: [test.*]\n",
      'master.d/b.conf': "reactor:\n  - 'salt/minion/*/start': [/srv/reactor/start.sls]\npeer:\n  db.*: [cmd.*]\n",
    },
    (dir) => {
      const opts = loadConfig('master', dir);
      assert.deepEqual(opts.reactor, [
        { 'salt/auth': ['/srv/reactor/auth.sls'] },
        { 'salt/minion/*/start': ['/srv/reactor/start.sls'] },
      ]);
      assert.deepEqual(opts.peer, { 'web.*': ['test.*'], 'db.*': ['cmd.*'] });
    },
  );
});

test('overrides win over files; undefined overrides are ignored', () => {
  withDir({ minion: 'log_level: info\nmaster: m1\n', 'minion.d/x.conf': 'log_level: error\n' }, (dir) => {
    const opts = loadConfig('minion', dir, { log_level: 'debug', master: undefined, id: 'web1' });
    assert.equal(opts.log_level, 'debug');
    assert.equal(opts.master, 'm1');
    assert.equal(opts.id, 'web1');
  });
});

test('include: and default_include are honoured relative to the config folder', () => {
  withDir(
    {
      minion: 'default_include: conf.d/*.yml\ninclude: extra/site.conf\nmaster: [m1, m2]\n',
      'conf.d/a.yml': 'master_port: 4606\n',
      'minion.d/ignored.conf': 'master_port: 1\n',
      'extra/site.conf': 'grains:\n  roles: [web]\n',
    },
    (dir) => {
      const opts = loadConfig('minion', dir);
      assert.equal(opts.master_port, 4606);
      assert.deepEqual(opts.master, ['m1', 'm2']);
      assert.deepEqual(opts.grains, { roles: ['web'] });
    },
  );
});

test('an empty or comment-only file is {}', () => {
  withDir({ master: '', 'master.d/a.conf': '# nothing here\n' }, (dir) => {
    assert.equal(loadConfig('master', dir).ret_port, 4506);
  });
});

test('unknown keys are kept and warned about; dotted plugin keys are kept silently', () => {
  withDir({ master: 'foo: 1\nmysql.host: db.example\nmaster_port: 4506\n', 'master.d/z.conf': 'bar: [1]\n' }, (dir) => {
    const { log, warnings } = recordingLogger();
    const opts = loadConfig('master', dir, {}, log);
    assert.equal(opts['foo'], 1);
    assert.equal(opts['mysql.host'], 'db.example');
    assert.deepEqual(warnings.sort(), [
      `unknown config key 'bar' in ${path.join(dir, 'master.d', 'z.conf')}`,
      `unknown config key 'foo' in ${path.join(dir, 'master')}`,
      // A minion key in the master's file is a mistake worth a warning.
      `unknown config key 'master_port' in ${path.join(dir, 'master')}`,
    ]);
  });
});

test('a YAML syntax error is one line with the file and line number', () => {
  withDir({ master: 'ret_port: 4506\ntimeout: 5\nreactor: [a, b\n' }, (dir) => {
    const file = path.join(dir, 'master');
    assert.throws(
      () => loadConfig('master', dir),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.code, 'CONFIG_PARSE');
        assert.ok(!err.message.includes('\n'), err.message);
        assert.match(err.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line [34]: `));
        return true;
      },
    );
  });
  withDir({ 'minion.d/bad.conf': 'id: web1\nmaster: x\ngrains:\n\t- x\n' }, (dir) => {
    assert.throws(() => loadConfig('minion', dir), /bad\.conf: line 4: Tabs are not allowed as indentation$/);
  });
  withDir({ minion: 'a: &x 1\nb: *y\n' }, (dir) => {
    assert.throws(
      () => loadConfig('minion', dir),
      (err: unknown) => err instanceof ConfigError && err.code === 'CONFIG_PARSE' && !err.message.includes('\n'),
    );
  });
});

test('a top level that is not a mapping names the file', () => {
  withDir({ master: '- ret_port: 4506\n' }, (dir) => {
    assert.throws(
      () => loadConfig('master', dir),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.code === 'CONFIG_PARSE' &&
        err.message === `${path.join(dir, 'master')}: the top level must be a mapping of keys to values, got a list`,
    );
  });
});

test('a numeric id becomes a string, an empty id means the default', () => {
  withDir({ minion: 'id: 1234\n', master: "id: ''\n" }, (dir) => {
    assert.equal(loadConfig('minion', dir).id, '1234');
    assert.match(loadConfig('master', dir).id, /_master$/);
  });
});

test('YAML 1.1 booleans (yes/no/on/off) are booleans, as with PyYAML', () => {
  withDir({ master: 'auto_accept: yes\nrotate_aes_key: off\n' }, (dir) => {
    const opts = loadConfig('master', dir);
    assert.equal(opts.auto_accept, true);
    assert.equal(opts.rotate_aes_key, false);
  });
});
