import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PillarCompiler } from './compile.js';
import { options, recordingLogger, removeTree, tree } from './test-util.js';

/*
 * Every match type of the pillar top file, written as Salt writes them,
 * against minions with different ids and grains: each minion gets exactly
 * the SLS files whose targets it matches.
 */

const TOP = `base:
  '*':
    - common
  'web*':
    - match: glob
    - web
  'os:Debian':
    - match: grain
    - debian
  'os:(Debian|Ubuntu)':
    - match: grain_pcre
    - debfamily
  '^db-\\d+$':
    - match: pcre
    - db
  'web-1,db-2':
    - match: list
    - listed
  'G@role:cache or L@db-1':
    - compound
  'web* and not G@os:Debian':
    - webnotdeb
  'backend':
    - match: nodegroup
    - backend
  'nosuchgroup':
    - match: nodegroup
    - never
  '10.1.0.0/16':
    - match: ipcidr
    - office
  'tier:gold':
    - match: pillar
    - gold
  'roles:edge':
    - match: grain
    - edge
`;

const names = [
  'common',
  'web',
  'debian',
  'debfamily',
  'db',
  'listed',
  'compound',
  'webnotdeb',
  'backend',
  'never',
  'office',
  'gold',
  'edge',
];
const files: Record<string, string> = { 'top.sls': TOP };
// Each SLS sets one key named after itself, so the pillar's keys say which files a minion got.
for (const n of names) files[`${n}.sls`] = `${n}: true\n`;
const root = tree(files);

const minions = {
  'web-1': { os: 'Debian', ipv4: ['10.1.2.3', '127.0.0.1'], roles: ['edge', 'web'] },
  'web-2': { os: 'Ubuntu', ipv4: ['192.168.1.2'] },
  'db-1': { os: 'CentOS', role: 'db' },
  'db-2': { os: 'CentOS', role: 'cache' },
};

async function keysOf(id: keyof typeof minions, override?: Record<string, unknown>): Promise<string[]> {
  const { log } = recordingLogger();
  const c = new PillarCompiler(options({ base: [root] }, { nodegroups: { backend: 'db-* or L@web-2' } }), log);
  const p = await c.compile({ id, grains: minions[id], ...(override ? { pillarOverride: override } : {}) });
  return Object.keys(p)
    .filter((k) => names.includes(k))
    .sort();
}

describe('pillar top: every match type', () => {
  after(() => removeTree(root));

  test('web-1: glob, grain, grain_pcre, list, ipcidr, and a grain list matching one item', async () => {
    assert.deepEqual(await keysOf('web-1'), ['common', 'debfamily', 'debian', 'edge', 'listed', 'office', 'web']);
  });

  test('web-2: compound with not, nodegroup through a compound L@ term', async () => {
    assert.deepEqual(await keysOf('web-2'), ['backend', 'common', 'debfamily', 'web', 'webnotdeb']);
  });

  test('db-1: pcre, compound L@, nodegroup glob', async () => {
    assert.deepEqual(await keysOf('db-1'), ['backend', 'common', 'compound', 'db']);
  });

  test('db-2: pcre, list, compound G@, nodegroup', async () => {
    assert.deepEqual(await keysOf('db-2'), ['backend', 'common', 'compound', 'db', 'listed']);
  });

  test("match: pillar sees the request's pillar_override", async () => {
    assert.ok((await keysOf('db-1', { tier: 'gold' })).includes('gold'));
    assert.ok(!(await keysOf('db-1', { tier: 'silver' })).includes('gold'));
  });

  test('an unknown matcher or a bad regex matches nothing and is logged; the rest of the top still counts', async () => {
    const dir = tree({
      'top.sls': "base:\n  '*':\n    - a\n  'x':\n    - match: data\n    - b\n  'web-(':\n    - match: pcre\n    - c\n",
      'a.sls': 'a: 1\n',
      'b.sls': 'b: 1\n',
      'c.sls': 'c: 1\n',
    });
    try {
      const { log, lines } = recordingLogger();
      const p = await new PillarCompiler(options({ base: [dir] }), log).compile({ id: 'web-1', grains: {} });
      assert.deepEqual(p, { a: 1 });
      assert.ok(
        lines.some((l) => /unknown matcher 'data'/.test(l)),
        lines.join('\n'),
      );
      assert.ok(
        lines.some((l) => /Invalid pcre target 'web-\('/.test(l)),
        lines.join('\n'),
      );
    } finally {
      removeTree(dir);
    }
  });

  test('a target without a match item is compound, so a bare glob works', async () => {
    const dir = tree({
      'top.sls': "base:\n  'web-*':\n    - a\n  'db-*':\n    - b\n",
      'a.sls': 'a: 1\n',
      'b.sls': 'b: 1\n',
    });
    try {
      const c = new PillarCompiler(options({ base: [dir] }), recordingLogger().log);
      assert.deepEqual(await c.compile({ id: 'web-9', grains: {} }), { a: 1 });
    } finally {
      removeTree(dir);
    }
  });

  test('order: a lower order renders first, so a later target wins on overlapping keys', async () => {
    const dir = tree({
      'top.sls': "base:\n  '*':\n    - first\n    - order: 10\n  'web-*':\n    - second\n    - order: 1\n",
      'first.sls': 'k: first\n',
      'second.sls': 'k: second\n',
    });
    try {
      const c = new PillarCompiler(options({ base: [dir] }), recordingLogger().log);
      assert.deepEqual(await c.compile({ id: 'web-1', grains: {} }), { k: 'first' });
    } finally {
      removeTree(dir);
    }
  });

  test('the top file is rendered with Jinja and the grains', async () => {
    const dir = tree({
      'top.sls': "base:\n  '*':\n{% if grains.os == 'Debian' %}\n    - deb\n{% else %}\n    - other\n{% endif %}\n",
      'deb.sls': 'family: deb\n',
      'other.sls': 'family: other\n',
    });
    try {
      const c = new PillarCompiler(options({ base: [dir] }), recordingLogger().log);
      assert.deepEqual(await c.compile({ id: 'm', grains: { os: 'Debian' } }), { family: 'deb' });
      assert.deepEqual(await c.compile({ id: 'm', grains: { os: 'Arch' } }), { family: 'other' });
    } finally {
      removeTree(dir);
    }
  });
});
