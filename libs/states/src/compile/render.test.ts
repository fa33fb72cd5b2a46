import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compiler, removeRoots, roots } from './test-util.js';

/*
 * render(): SLS files through the file client, include (plain, relative,
 * env dict), extend, exclude, Jinja import/include of other salt:// files,
 * salt['mod.fun'], and each of Salt's error texts.
 */

const dir = roots({
  base: {
    'top.sls': "base:\n  '*':\n    - web\n",
    'web/init.sls': [
      "{% from './map.jinja' import nginx with context %}",
      'include:',
      '  - .conf',
      '  - common',
      'nginx:',
      '  pkg.installed:',
      '    - name: {{ nginx.pkg }}',
      "    - version: {{ salt['test.echo']('1.2') }}",
      'motd:',
      '  file.managed:',
      '    - name: /etc/motd',
      '    - contents: "{% include \'web/motd.txt\' %}"',
      'short: test.nop',
      '',
    ].join('\n'),
    'web/map.jinja': "{% set nginx = {'pkg': 'nginx-' ~ grains.os|lower, 'dir': tpldir} %}",
    'web/motd.txt': 'hello {{ grains.id }} from {{ sls }}',
    'web/conf.sls': [
      'conf:',
      '  file.managed:',
      '    - name: /etc/nginx/nginx.conf',
      '    - mode: "0644"',
      'paths:',
      '  test.show_notification:',
      "    - text: '{{ slspath }} {{ tpldir }} {{ tplfile }} {{ sls_path }}'",
      '',
    ].join('\n'),
    'common.sls': [
      'include:',
      '  - dev: tools',
      'extend:',
      '  conf:',
      '    file:',
      '      - mode: "0600"',
      '      - require:',
      '        - pkg: nginx',
      'exclude:',
      '  - id: short',
      'common-thing:',
      '  test.nop: []',
      '',
    ].join('\n'),
    'dup1.sls': 'same:\n  test.nop:\n    - a: 1\n',
    'dup2.sls': 'same:\n  test.nop:\n    - a: 2\n',
    'bad.sls': "x: {{ salt['nope.fun']() }}\n",
    'badyaml.sls': 'a:\n  - b\n c: d\n',
    'list.sls': '- a\n- b\n',
    'notdict.sls': 'myid: 5\n',
    'notlist.sls': 'myid:\n  file: managed\n',
    'twofun.sls': 'myid:\n  file.managed:\n    - absent\n',
    'extmiss.sls': 'extend:\n  ghost:\n    file:\n      - mode: 1\n',
    'missinc.sls': 'include:\n  - nothere\n',
    'deep.sls': 'include:\n  - ..up\n',
    'noenv.sls': 'include:\n  - qa: x\n',
    'empty.sls': '',
    'xenv.sls': 'include:\n  - _xenv: tools\n',
    'a/b/init.sls': 'include:\n  - .c\n  - ..d\nab: {test: [nop]}\n',
    'a/b/c.sls': 'abc: {test: [nop]}\n',
    'a/d.sls': 'ad: {test: [nop]}\n',
  },
  dev: {
    'tools.sls': 'tools:\n  pkg.installed:\n    - name: strace\n',
  },
});
after(() => removeRoots(dir));

describe('render', () => {
  test('include (relative, env dict), extend, exclude, Jinja from/include, salt calls, sls context', async () => {
    const c = compiler(dir);
    const { high, errors } = await c.render({ base: ['web'] });
    assert.deepEqual(errors, []);
    const h = high as unknown as Record<string, Record<string, unknown[]>>;
    assert.deepEqual(Object.keys(h).sort(), [
      '__exclude__',
      'common-thing',
      'conf',
      'motd',
      'nginx',
      'paths',
      'short',
      'tools',
    ]);
    assert.deepEqual(h['nginx']!['pkg']!.slice(0, 3), [{ name: 'nginx-debian' }, { version: 1.2 }, 'installed']);
    assert.deepEqual(h['motd']!['file']![1], { contents: 'hello web1 from web' });
    assert.deepEqual(h['short']!['test']!.slice(0, 1), ['nop']);
    assert.equal(h['tools']!['__env__'], 'dev');
    // extend: the argument replaced, the requisite added
    assert.deepEqual(h['conf']!['file']!.slice(0, 3), [{ name: '/etc/nginx/nginx.conf' }, { mode: '0600' }, 'managed']);
    assert.ok(h['conf']!['file']!.some((a) => JSON.stringify(a) === '{"require":[{"pkg":"nginx"}]}'));
    assert.deepEqual(h['paths']!['test']![0], { text: 'web web web/conf.sls web' });
    // The compiler applies the SLS's exclude.
    const { chunks, errors: cerr } = c.compile(high);
    assert.deepEqual(cerr, []);
    assert.ok(!chunks.some((x) => x.__id__ === 'short'));
    // state_auto_order: included files first, then the includer's own ids, in the order written.
    const order = chunks.map((x) => x.__id__);
    assert.ok(order.indexOf('conf') < order.indexOf('nginx'));
    assert.ok(order.indexOf('nginx') < order.indexOf('motd'));
  });

  test('relative includes from an init.sls: .c and ..d', async () => {
    const { high, errors } = await compiler(dir).render({ base: ['a.b'] });
    assert.deepEqual(errors, []);
    assert.deepEqual(Object.keys(high).sort(), ['ab', 'abc', 'ad']);
  });

  test('state_auto_order off: no order added, chunks sort by state+name+fun', async () => {
    const c = compiler(dir, {}, { state_auto_order: false });
    const { high } = await c.render({ base: ['a.b'] });
    assert.ok(!JSON.stringify(high).includes('order'));
    assert.deepEqual(
      c.compile(high).chunks.map((x) => [x.__id__, x.order]),
      // Salt sorts on state+name+fun run together: 'testabcnop' < 'testabnop'.
      [
        ['abc', 1],
        ['ab', 1],
        ['ad', 1],
      ],
    );
  });

  test('_xenv include: whichever matched saltenv has the SLS', async () => {
    const { high, errors } = await compiler(dir).render({ base: ['xenv'], dev: [] });
    assert.deepEqual(errors, []);
    assert.equal((high['tools'] as unknown as Record<string, unknown>)['__env__'], 'dev');
  });

  test('an empty SLS is no states, not an error', async () => {
    assert.deepEqual(await compiler(dir).render({ base: ['empty'] }), { high: {}, errors: [] });
  });

  test("Salt's error texts", async () => {
    const errs = async (mods: Record<string, string[]>): Promise<string[]> => (await compiler(dir).render(mods)).errors;
    assert.deepEqual(await errs({ base: ['nothing'] }), ["No matching sls found for 'nothing' in env 'base'"]);
    assert.deepEqual(await errs({ base: ['dup1', 'dup2'] }), [
      "Detected conflicting IDs, SLS IDs need to be globally unique.\n    The conflicting ID is 'same' and is found in SLS 'base:dup1' and SLS 'base:dup2'",
    ]);
    const [bad] = await errs({ base: ['bad'] });
    assert.match(bad!, /^Rendering SLS 'base:bad' failed: .*bad\.sls: line 1: Jinja error: /);
    const [yaml] = await errs({ base: ['badyaml'] });
    assert.match(yaml!, /^Rendering SLS 'base:badyaml' failed: .*line 3/);
    assert.deepEqual(await errs({ base: ['list'] }), [
      'SLS list does not render to a dictionary',
      "Error when rendering state with contents: ['a', 'b']",
    ]);
    assert.deepEqual(await errs({ base: ['notdict'] }), ['ID myid in SLS notdict is not a dictionary']);
    const h = await compiler(dir).render({ base: ['notlist'] });
    assert.deepEqual(compiler(dir).compile(h.high).errors, ["State 'myid' in SLS 'notlist' is not formed as a list"]);
    const h2 = await compiler(dir).render({ base: ['twofun'] });
    assert.deepEqual(compiler(dir).compile(h2.high).errors, [
      "Too many functions declared in state 'myid' in SLS 'twofun'. Please choose one of the following: absent, managed",
    ]);
    assert.deepEqual(await errs({ base: ['extmiss'] }), [
      "Cannot extend ID 'ghost' in 'base:extmiss'. It is not part of the high state.\nThis is likely due to a missing include statement or an incorrectly typed ID.\nEnsure that a state with an ID of 'ghost' is available\nin environment 'base' and to SLS 'extmiss'",
    ]);
    assert.deepEqual(await errs({ base: ['missinc'] }), [
      'Specified SLS nothere in saltenv base is not available on the salt master or through a configured fileserver',
    ]);
    assert.deepEqual(await errs({ base: ['deep'] }), [
      "Attempted relative include of '..up' within SLS 'base:deep' goes beyond top level package ",
    ]);
    assert.deepEqual(await errs({ base: ['noenv'] }), [
      "Nonexistent saltenv 'qa' found in include of 'x' within SLS 'base:noenv'",
    ]);
    assert.deepEqual(await errs({ qa: ['x'] }), [
      "No matching salt environment for environment 'qa' found",
      "No matching sls found for 'x' in env 'qa'",
    ]);
  });
});
