import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fnmatch } from '@tsalt/core';
import { parseDate } from './index.js';

test('fnmatch follows Python fnmatch', () => {
  const cases: Array<[string, string, boolean]> = [
    ['test.ping', 'test.*', true],
    ['test.ping', 'test.?ing', true],
    ['test.ping', 'TEST.*', false],
    ['web1', 'web[12]', true],
    ['web3', 'web[12]', false],
    ['web3', 'web[!12]', true],
    ['web-b', 'web-[a-c]', true],
    ['a[b', 'a[b', true],
    ['a.b', 'a?b', true],
    ['a+b', 'a+b', true],
    ['x', '', false],
    ['', '*', true],
    ['line\nbreak', 'line*', true],
    ['web1', 'web1*', true],
    ['(x)', '(x)', true],
    ['a^b', 'a[\\^]b', true],
  ];
  for (const [name, pat, want] of cases) assert.equal(fnmatch(name, pat), want, `${name} ~ ${pat}`);
});

test('parseDate reads the common shapes, local time unless a zone is given', () => {
  const local = (...a: [number, number, number, number?, number?, number?, number?]): number =>
    new Date(a[0], a[1] - 1, a[2], a[3] ?? 0, a[4] ?? 0, a[5] ?? 0, a[6] ?? 0).getTime();
  const now = new Date(2024, 5, 10, 12, 0, 0);
  const cases: Array<[string, number]> = [
    ['2015, Mar 16 19:00', local(2015, 3, 16, 19)],
    ['2015, Mar 16 19:00:01.240253', local(2015, 3, 16, 19, 0, 1, 240)],
    ['2015-03-16 19:00:00', local(2015, 3, 16, 19)],
    ['2015-03-16T19:00', local(2015, 3, 16, 19)],
    ['2015-03-16', local(2015, 3, 16)],
    ['Mar 16 2015 7:05pm', local(2015, 3, 16, 19, 5)],
    ['16 March 2015 12:00 am', local(2015, 3, 16, 0)],
    ['Monday, Mar 16, 2015', local(2015, 3, 16)],
    ['03/16/2015', local(2015, 3, 16)],
    ['3/16/15 08:00', local(2015, 3, 16, 8)],
    ['19:30', local(2024, 6, 10, 19, 30)],
    ['Mar 16', local(2024, 3, 16)],
    ['20150316190000000000', local(2015, 3, 16, 19)],
  ];
  for (const [s, want] of cases) assert.equal(parseDate(s, now).getTime(), want, s);
  assert.equal(parseDate('2015-03-16T19:00:00Z').toISOString(), '2015-03-16T19:00:00.000Z');
  assert.equal(parseDate('2015-03-16T19:00:00+02:00').toISOString(), '2015-03-16T17:00:00.000Z');
  assert.equal(parseDate('2015-03-16 19:00 UTC').toISOString(), '2015-03-16T19:00:00.000Z');
  for (const bad of ['', 'soon', '2015-02-30', '25:00', '2015, Foo 16', '13/01/2015', '13:00pm']) {
    assert.throws(() => parseDate(bad, now), { code: 'BAD_DATE' }, bad);
  }
});
