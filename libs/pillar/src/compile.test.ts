import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { PillarCompiler, relativeSls, type PillarRequest } from './compile.js';
import type { PillarOptions } from './options.js';
import { options, recordingLogger, removeTree, tree } from './test-util.js';

/** Compiles one minion's pillar over a temp tree (base root = the tree). */
async function compile(
  files: Record<string, string>,
  req: Partial<PillarRequest> = {},
  extra: Partial<PillarOptions> = {},
): Promise<{ pillar: Record<string, unknown>; lines: string[]; dir: string }> {
  const dir = tree(files);
  try {
    const { log, lines } = recordingLogger();
    const c = new PillarCompiler(options({ base: [dir] }, extra), log);
    const pillar = await c.compile({ id: 'web1', grains: { os: 'Debian' }, ...req });
    return { pillar, lines, dir };
  } finally {
    removeTree(dir);
  }
}

const all = (sls: string[]): string => `base:\n  '*':\n${sls.map((s) => `    - ${s}\n`).join('')}`;

describe('pillar SLS files: rendering and merge', () => {
  test('a.b is a/b.sls or a/b/init.sls; Jinja sees grains, opts, saltenv and sls', async () => {
    const { pillar } = await compile({
      'top.sls': all(['users', 'web.nginx']),
      'users/init.sls': 'users:\n  os: {{ grains.os }}\n  id: {{ grains.id }}\n',
      'web/nginx.sls': "nginx:\n  env: {{ saltenv }}\n  sls: {{ sls }}\n  minion: {{ opts['id'] }}\n",
    });
    assert.deepEqual(pillar, {
      users: { os: 'Debian', id: 'web1' },
      nginx: { env: 'base', sls: 'web.nginx', minion: 'web1' },
    });
  });

  test('overlapping keys merge recursively in top order, the later file winning; lists are replaced', async () => {
    const { pillar } = await compile({
      'top.sls': all(['one', 'two']),
      'one.sls': 'app:\n  port: 80\n  hosts: [a, b]\n  tls: {cert: x}\n',
      'two.sls': 'app:\n  port: 8080\n  hosts: [c]\n  tls: {key: y}\n',
    });
    assert.deepEqual(pillar, { app: { port: 8080, hosts: ['c'], tls: { cert: 'x', key: 'y' } } });
  });

  test('pillar_merge_lists and the overwrite strategy', async () => {
    const files = {
      'top.sls': all(['one', 'two']),
      'one.sls': 'app:\n  hosts: [a, b]\n  x: 1\n',
      'two.sls': 'app:\n  hosts: [b, c]\n',
    };
    assert.deepEqual((await compile(files, {}, { mergeLists: true })).pillar, {
      app: { hosts: ['a', 'b', 'c'], x: 1 },
    });
    assert.deepEqual((await compile(files, {}, { mergeStrategy: 'overwrite' })).pillar, { app: { hosts: ['b', 'c'] } });
  });

  test('a later SLS sees what is compiled so far as pillar; pillar_override is merged last', async () => {
    const { pillar } = await compile(
      {
        'top.sls': all(['one', 'two']),
        'one.sls': 'db: {host: db1}\n',
        'two.sls': "dsn: postgres://{{ pillar['db']['host'] }}/{{ pillar.get('name', 'app') }}\n",
      },
      { pillarOverride: { db: { host: 'forced' }, name: 'ovr' } },
    );
    assert.deepEqual(pillar, { db: { host: 'forced' }, dsn: 'postgres://db1/ovr', name: 'ovr' });
  });

  test('a pattern in the top file takes every SLS it matches, sorted', async () => {
    const { pillar } = await compile({
      'top.sls': all(['users.*']),
      'users/alice.sls': 'users: {alice: 1}\n',
      'users/bob/init.sls': 'users: {bob: 2}\n',
      'other.sls': 'other: 1\n',
    });
    assert.deepEqual(pillar, { users: { alice: 1, bob: 2 } });
  });

  test('an empty SLS adds nothing; #!yaml and #!json files work', async () => {
    const { pillar } = await compile({
      'top.sls': all(['empty', 'plain', 'j']),
      'empty.sls': '# nothing here\n',
      'plain.sls': '#!yaml\nraw: "{{ not rendered }}"\n',
      'j.sls': '#!json\n{"j": [1, 2]}\n',
    });
    assert.deepEqual(pillar, { raw: '{{ not rendered }}', j: [1, 2] });
  });
});

describe('include', () => {
  test("included SLS merge first, so the including file's keys win; relative names resolve from its folder", async () => {
    const { pillar } = await compile({
      'top.sls': all(['web']),
      'web/init.sls': 'include:\n  - .base\n  - common\nweb: {port: 8080}\n',
      'web/base.sls': 'web: {port: 80, user: www}\n',
      'common.sls': 'common: true\n',
    });
    assert.deepEqual(pillar, { web: { port: 8080, user: 'www' }, common: true });
  });

  test('a relative include from a.b (not init.sls) is a sibling; an include cycle renders each file once', async () => {
    const { pillar } = await compile({
      'top.sls': all(['app.one']),
      'app/one.sls': 'include: [.two]\none: 1\n',
      'app/two.sls': 'include: [app.one]\ntwo: 2\n',
    });
    assert.deepEqual(pillar, { one: 1, two: 2 });
  });

  test('pillar_includes_override_sls: the included file wins', async () => {
    const files = {
      'top.sls': all(['a']),
      'a.sls': 'include: [b]\nk: from-a\n',
      'b.sls': 'k: from-b\n',
    };
    assert.deepEqual((await compile(files)).pillar, { k: 'from-a' });
    assert.deepEqual((await compile(files, {}, { includesOverrideSls: true })).pillar, { k: 'from-b' });
  });

  test('an include with defaults (template variables) and key (nesting)', async () => {
    const { pillar } = await compile({
      'top.sls': all(['site']),
      'site.sls': "include:\n  - vhost:\n      defaults: {name: shop}\n      key: 'sites:shop'\n",
      'vhost.sls': 'server_name: {{ name }}.example.com\n',
    });
    assert.deepEqual(pillar, { sites: { shop: { server_name: 'shop.example.com' } } });
  });

  test('relativeSls', () => {
    assert.equal(relativeSls('.b', 'a.c', false), 'a.b');
    assert.equal(relativeSls('.b', 'a', true), 'a.b');
    assert.equal(relativeSls('.b', 'top', false), 'b');
    assert.equal(relativeSls('x.y', 'a.c', false), 'x.y');
  });
});

describe("errors: Salt's _errors entry, a log line with the file and line, the rest still compiles", () => {
  test('an SLS named in the top file that no root holds', async () => {
    const { pillar, lines, dir } = await compile({ 'top.sls': all(['good', 'nope']), 'good.sls': 'good: 1\n' });
    assert.deepEqual(pillar, {
      good: 1,
      _errors: ["Specified SLS 'nope' in environment 'base' is not available on the salt master"],
    });
    const line = lines.find((l) => l.includes("'nope'"));
    assert.ok(line?.includes(`${path.join(dir, 'top.sls')}, line 4`), lines.join('\n'));
  });

  test('a missing include names the including file and line', async () => {
    const { pillar, lines, dir } = await compile({
      'top.sls': all(['a']),
      'a.sls': 'include:\n  - gone\na: 1\n',
    });
    assert.deepEqual(pillar, {
      a: 1,
      _errors: ["Specified SLS 'gone' in environment 'base' is not available on the salt master"],
    });
    assert.ok(
      lines.some((l) => l.includes(`${path.join(dir, 'a.sls')}, line 2`)),
      lines.join('\n'),
    );
  });

  test('a Jinja error: the safe text in _errors, the file, line and reason in the log', async () => {
    const { pillar, lines, dir } = await compile({
      'top.sls': all(['good', 'broken']),
      'good.sls': 'good: 1\n',
      'broken.sls': 'a: 1\nb: {{ grains.os | nosuchfilter }}\n',
    });
    assert.deepEqual(pillar, {
      good: 1,
      _errors: ["Rendering SLS 'broken' failed. Please see master log for details."],
    });
    const line = lines.find((l) => l.includes("Rendering SLS 'broken' failed, render error:"));
    assert.ok(line?.includes(path.join(dir, 'broken.sls')) && /line 2/.test(line), lines.join('\n'));
  });

  test('pillar_safe_render_error off: _errors carries the render error itself', async () => {
    const { pillar } = await compile(
      { 'top.sls': all(['broken']), 'broken.sls': 'a: [1, 2\n' },
      {},
      { safeRenderError: false },
    );
    const errors = pillar['_errors'] as string[];
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /^Rendering SLS 'broken' failed, render error:\n.*broken\.sls/);
  });

  test('YAML that is not a dict, and an include that is not a list', async () => {
    const { pillar, lines } = await compile({
      'top.sls': all(['listy', 'badinc', 'ok']),
      'listy.sls': '- a\n- b\n',
      'badinc.sls': 'include: other\nx: 1\n',
      'ok.sls': 'ok: true\n',
    });
    assert.deepEqual(pillar, {
      include: 'other',
      x: 1,
      ok: true,
      _errors: [
        "SLS 'listy' does not render to a dictionary",
        "Include Declaration in SLS 'badinc' is not formed as a list",
      ],
    });
    assert.ok(
      lines.some((l) => /listy.*a list.*listy\.sls, line 1/.test(l)),
      lines.join('\n'),
    );
  });

  test('a top file that does not render: its error, nothing else', async () => {
    const { pillar, lines } = await compile({ 'top.sls': "base:\n  '*':\n    - {{ oops(\n" });
    const errors = pillar['_errors'] as string[];
    assert.match(errors[0] ?? '', /^Rendering Primary Top file failed, render error:\n/);
    assert.ok(
      lines.some((l) => l.includes('top.sls')),
      lines.join('\n'),
    );
  });

  test("a malformed top target is skipped with Salt's error; ignore_missing silences a missing SLS", async () => {
    const { pillar } = await compile({
      'top.sls': "base:\n  'x*':\n  '*':\n    - maybe\n    - ignore_missing: True\n    - real\n",
      'real.sls': 'real: 1\n',
    });
    assert.deepEqual(pillar, { real: 1, _errors: ['Error encountered while rendering pillar top file.'] });
  });

  test('no top file: an empty pillar, no error', async () => {
    assert.deepEqual((await compile({ 'a.sls': 'a: 1\n' })).pillar, {});
  });
});

describe('environments', () => {
  test("every environment's top counts; pillarenv keeps one; a top naming an unknown environment", async () => {
    const dir = tree({
      'base/top.sls': "base:\n  '*':\n    - b\ndev:\n  '*':\n    - d\nqa:\n  '*':\n    - q\n",
      'base/b.sls': 'k: base\nb: 1\n',
      'dev/d.sls': 'k: dev\nd: 1\n',
    });
    try {
      const roots = { base: [path.join(dir, 'base')], dev: [path.join(dir, 'dev')] };
      const c = new PillarCompiler(options(roots), recordingLogger().log);
      assert.deepEqual(await c.compile({ id: 'm', grains: {} }), {
        k: 'dev',
        b: 1,
        d: 1,
        _errors: ["No matching pillar environment for environment 'qa' found"],
      });
      assert.deepEqual(await c.compile({ id: 'm', grains: {}, pillarenv: 'dev' }), {});
      const fromSaltenv = new PillarCompiler(options(roots, { pillarenvFromSaltenv: true }), recordingLogger().log);
      assert.deepEqual(await fromSaltenv.compile({ id: 'm', grains: {}, saltenv: 'base' }), { k: 'base', b: 1 });
    } finally {
      removeTree(dir);
    }
  });

  test('roots are searched in order; __env__ serves an environment with no roots of its own', async () => {
    const dir = tree({
      'one/top.sls': all(['a']),
      'one/a.sls': 'a: one\n',
      'two/a.sls': 'a: two\n',
      'two/b.sls': 'b: two\n',
      'feature-x/top.sls': "feature-x:\n  '*':\n    - f\n",
      'feature-x/f.sls': 'f: 1\n',
    });
    try {
      const c = new PillarCompiler(
        options({ base: [path.join(dir, 'one'), path.join(dir, 'two')], __env__: [path.join(dir, '__env__')] }),
        recordingLogger().log,
      );
      assert.deepEqual(await c.compile({ id: 'm', grains: {} }), { a: 'one' });
      assert.deepEqual(await c.compile({ id: 'm', grains: {}, pillarenv: 'feature-x' }), { f: 1 });
    } finally {
      removeTree(dir);
    }
  });
});

describe('isolation', () => {
  test('two minions compiled at once each get their own pillar; nothing leaks between compiles', async () => {
    const dir = tree({
      'top.sls': "base:\n  '*':\n    - common\n  'web1':\n    - secret_web\n  'db1':\n    - secret_db\n",
      'common.sls': "common: {owner: '{{ grains.id }}'}\n",
      'secret_web.sls': 'secret: web-only\n',
      'secret_db.sls': 'secret: db-only\n',
    });
    try {
      const c = new PillarCompiler(options({ base: [dir] }), recordingLogger().log);
      const [w, d] = await Promise.all([c.compile({ id: 'web1', grains: {} }), c.compile({ id: 'db1', grains: {} })]);
      assert.deepEqual(w, { common: { owner: 'web1' }, secret: 'web-only' });
      assert.deepEqual(d, { common: { owner: 'db1' }, secret: 'db-only' });
      (w['common'] as Record<string, unknown>)['owner'] = 'tampered';
      assert.deepEqual(await c.compile({ id: 'other', grains: {} }), { common: { owner: 'other' } });
    } finally {
      removeTree(dir);
    }
  });

  test('an SLS name cannot leave its root', async () => {
    const { pillar } = await compile({ 'top.sls': all(['..secret', '"/etc/passwd"']), 'x.sls': 'x: 1\n' });
    assert.equal((pillar['_errors'] as string[]).length, 2);
  });
});
