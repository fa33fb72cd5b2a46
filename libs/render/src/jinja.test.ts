import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, renderTemplate } from './jinja/template.js';
import { RenderError } from './errors.js';

const data = {
  act: 'pend',
  id: 'db1_web',
  pub: 'KEY',
  nested: { data: { version: 3 } },
  list: [3, 1, 2],
  n: 5,
  f: 1.5,
  none: null,
};

function render(src: string, vars: Record<string, unknown> = { data, tag: 'salt/auth' }): string {
  return renderTemplate(compileTemplate(src, 't.sls'), src, 't.sls', vars);
}

function failure(src: string): RenderError {
  try {
    render(src);
  } catch (err) {
    assert.ok(err instanceof RenderError, String(err));
    return err;
  }
  assert.fail(`rendered without error: ${src}`);
}

describe('Jinja as Salt users write it', () => {
  const cases: Array<[string, string]> = [
    ["{{ 'act' in data and data['act'] == 'pend' }}", 'true'],
    ["{{ data['id'].endswith('_web') }} {{ data['id'].startswith(('x', 'db')) }}", 'true true'],
    [
      "{{ data.get('x', 1) }} {{ data.get('id') }} {{ data.get('nested', {}).get('data', {}).get('version') }}",
      '1 db1_web 3',
    ],
    ['{% for k, v in data.items() %}{{ k }},{% endfor %}', 'act,id,pub,nested,list,n,f,none,'],
    ['{{ data.keys() | list | length }} {{ data.values() | list | length }}', '8 8'],
    ["{% set x = data['id'] | upper %}{{ x }}", 'DB1_WEB'],
    ["{% if data['n'] > 3 %}big{% else %}small{% endif %}", 'big'],
    ["{{ data['id'].split('_')[0] }} {{ data['id'].rsplit('_', 1)[1] }}", 'db1 web'],
    [
      "{{ data['id'].lower() }} {{ '  x '.strip() }} {{ 'xxhixx'.strip('x') }} {{ 'a-b'.replace('-', '+') }}",
      'db1_web x hi a+b',
    ],
    [
      "{{ '{}-{}'.format(1, 'b') }} {{ '{0:>4}|{v:.2f}'.format('a', v=3.14159) }} {{ '{:,d}'.format(1234567) }}",
      '1-b    a|3.14 1,234,567',
    ],
    [
      "{{ '%s is %d' % ('x', 3) }} {{ '%(id)s' % data }} {{ '%05.1f' % 3.14159 }} {{ '%-3s|' % 'a' }}",
      'x is 3 db1_web 003.1 a  |',
    ],
    ['{{ 7 % 3 }} {{ -1 % 3 }}', '1 2'],
    [
      "{{ ','.join(['a', 'b']) }} {{ data['id'].find('_') }} {{ data['id'].count('b') }} {{ '42'.isdigit() }}",
      'a,b 3 2 true',
    ],
    ["{{ data.has_key('id') }} {{ 'id' in data }} {{ 'zz' not in data }}", 'true true true'],
    ['{% set l = [] %}{% set _ = l.append(1) %}{% set _ = l.extend([2, 3]) %}{{ l }}', '[1, 2, 3]'],
    ["{% set d = {} %}{% set _ = d.update({'a': 1}) %}{{ d }}", '{"a": 1}'],
    [
      "{{ data['list'] | sort | join(',') }} {{ data['list'] | sum }} {{ data['list'] | max }} {{ data['list'] | min }}",
      '1,2,3 6 3 1',
    ],
    [
      "{{ data['list'] | map('string') | join('-') }} {{ data['list'] | select('odd') | list }} {{ data['list'] | reject('odd') | list }}",
      '3-1-2 [3, 1] [2]',
    ],
    [
      "{{ data['id'] | regex_match('db(\\\\d)_(.*)') }} {{ data['id'] | regex_search('web') }} {{ data['id'] | regex_replace('\\\\d', 'N') }}",
      '["1", "web"] [] dbN_web',
    ],
    [
      "{{ 'yes' | to_bool }} {{ 'no' | to_bool }} {{ data['missing'] | default('dflt') }} {{ data['missing'] | d('d2') }}",
      'true false dflt d2',
    ],
    ["{{ data['nested'] | json }}", '{"data": {"version": 3}}'],
    ["{{ data['nested'] | yaml }}", '{data: {version: 3}}'],
    ["{{ data['none'] }}|{{ data['none'] | string }}|{{ data['missing'] is defined }}", '|None|false'],
    [
      "{{ range(3) | list }} {{ dict(a=1) }} {{ data['f'] | round }} {{ 2.567 | round(2) }}",
      '[0, 1, 2] {"a": 1} 2.0 2.57',
    ],
    ["{{ tag }} {{ tag.split('/')[1] }}", 'salt/auth auth'],
    ["{{ data['id'][0:3] }} {{ data['list'][-1] }} {{ data.id }}", 'db1 2 db1_web'],
  ];
  for (const [src, want] of cases) {
    test(src, () => assert.equal(render(src), want));
  }

  test('Salt defaults: blocks keep their newlines, one trailing newline is dropped', () => {
    assert.equal(render('a:\n{% if true %}\n  b: 1\n{% endif %}\n'), 'a:\n\n  b: 1\n');
    assert.equal(render('{%- if true -%}\n  x\n{%- endif %}'), 'x');
  });
});

describe('errors name the line', () => {
  test('a syntax error', () => {
    const e = failure('ok: 1\nbad: {{ data[ }}\n');
    assert.equal(e.code, 'RENDER_JINJA');
    assert.equal(e.line, 2);
    assert.match(e.message, /^t\.sls: line 2: Jinja syntax error: /);
  });

  test('an unclosed block points at its opening line', () => {
    const e = failure('a: 1\n{% if data %}\nb: 2\n');
    assert.equal(e.line, 2);
    assert.match(e.message, /not closed/);
  });

  test('a render error, inside a loop', () => {
    const e = failure(
      "a: 1\n{% for x in data['list'] %}\n- {{ x }}\n- {{ data['nope'].endswith('x') }}\n{% endfor %}\n",
    );
    assert.equal(e.line, 4);
    assert.match(e.message, /^t\.sls: line 4: Jinja error: /);
  });

  test('a Python formatting mistake', () => {
    const e = failure("x\n{{ '%d' % 'abc' }}");
    assert.equal(e.line, 2);
    assert.match(e.message, /a number is required/);
  });

  test('the line markers do not change the output', () => {
    const src = "a:\n  {%- if data['n'] %} x{% endif %}\n{% for i in [1, 2] %}- {{ i }}\n{% endfor %}";
    assert.equal(render(src), 'a: x\n- 1\n- 2\n');
  });
});

describe("Jinja's do extension (Salt enables it)", () => {
  test('{% do %} runs the expression for its effect and prints nothing', () => {
    assert.equal(render('{% set l = [] %}{% for i in [1, 2] %}{% do l.append(i) %}{% endfor %}{{ l }}'), '[1, 2]');
    assert.equal(render("{% set d = {'a': 1} %}{%- do d.update({'b': 2}) -%}\n{{ d['b'] }}"), '2');
    assert.equal(render('a\n{% do [1] %}\nb'), 'a\n\nb');
  });
  test('{% do %} without an expression is a syntax error naming it', () => {
    assert.match(failure('{% do %}').message, /Expected an expression after '\{% do'/);
  });
});
