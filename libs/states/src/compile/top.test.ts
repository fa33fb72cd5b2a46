import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compiler, removeRoots, roots } from './test-util.js';

/*
 * top(): the state top of every saltenv, merged under Salt's strategies,
 * matched with every target type (through @tsalt/pillar and
 * @tsalt/targeting), with saltenv= and the verify_tops errors.
 */

const baseTop = `
base:
  '*':
    - common
  'os:Debian':
    - match: grain
    - debian
  'web*':
    - web
  'G@roles:web and I@role:web':
    - compound_hit
  'web1,db1':
    - match: list
    - listed
  '10.1.0.0/16':
    - match: ipcidr
    - cidr
  'role:web':
    - match: pillar
    - pill
  'os:Deb.*':
    - match: grain_pcre
    - gpcre
  '^web\\d$':
    - match: pcre
    - pcre
  'db*':
    - nope
  webgroup:
    - match: nodegroup
    - ng
  'I@port:8080':
    - {{ 'jinja_' ~ saltenv }}
dev:
  '*':
    - from_base_dev
include:
  - extra_top
`;

const dir = roots({
  base: { 'top.sls': baseTop, 'extra_top.sls': "base:\n  'web1':\n    - from_include\n" },
  dev: { 'top.sls': "dev:\n  '*':\n    - dev_own\nqa:\n  '*':\n    - other_env_section\n" },
  qa: { 'top.sls': "qa:\n  '*':\n    - qa_own\n" },
});
const broken = roots({ base: { 'top.sls': 'base:\n  {{ nope( }}\n' } });
const malformed = roots({ base: { 'top.sls': "base:\n  '*':\n    a: b\n  'x':\n    - ''\n" } });
after(() => [dir, broken, malformed].forEach(removeRoots));

const opts = { nodegroups: { webgroup: 'web*' } };

describe('top', () => {
  test('merge (the default): every match type; base authoritative; other envs their own section', async () => {
    assert.deepEqual(await compiler(dir, {}, opts).top(), {
      base: [
        'common',
        'debian',
        'web',
        'compound_hit',
        'listed',
        'cidr',
        'pill',
        'gpcre',
        'pcre',
        'ng',
        'jinja_base',
        'from_include',
      ],
      dev: ['from_base_dev'],
      qa: ['qa_own'],
    });
  });

  test('saltenv=: only that env top file and section', async () => {
    assert.deepEqual(await compiler(dir, { saltenv: 'dev' }, opts).top(), { dev: ['dev_own'] });
  });

  test('same and merge_all', async () => {
    const same = await compiler(dir, {}, { ...opts, top_file_merging_strategy: 'same' }).top();
    assert.deepEqual(same['dev'], ['dev_own']);
    assert.deepEqual(same['qa'], ['qa_own']);
    const all = await compiler(dir, {}, { ...opts, top_file_merging_strategy: 'merge_all' }).top();
    assert.deepEqual(all['dev'], ['from_base_dev', 'dev_own']);
    assert.deepEqual(all['qa'], ['other_env_section', 'qa_own']);
  });

  test('env_order and state_top_saltenv', async () => {
    const r = await compiler(dir, {}, { ...opts, state_top_saltenv: 'qa' }).top();
    assert.deepEqual(r, { qa: ['qa_own'] });
  });

  test('a top that fails to render: no matches, the reason in renderErrors', async () => {
    const r = await compiler(broken).readTop();
    assert.deepEqual(r.matches, {});
    assert.equal(r.renderErrors.length, 1);
    assert.match(r.renderErrors[0]!, /^Unable to render top file: .*top\.sls: line 2: Jinja syntax error/);
  });

  test("verify_tops' errors", async () => {
    const r = await compiler(malformed).readTop();
    assert.deepEqual(r.errors, [
      'Malformed topfile (state declarations not formed as a list)',
      'Environment base contains an empty sls index',
    ]);
  });
});
