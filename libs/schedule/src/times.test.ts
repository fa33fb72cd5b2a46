import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isoLocal, parseDate, strptime } from './times.js';

const NOW = new Date(2026, 11, 3, 10, 0, 0).getTime();

test('ISO dates and times, local unless they carry an offset', () => {
  assert.equal(parseDate('2026-12-03T17:30:00', NOW), new Date(2026, 11, 3, 17, 30, 0).getTime());
  assert.equal(parseDate('2026-12-03 17:30', NOW), new Date(2026, 11, 3, 17, 30).getTime());
  assert.equal(parseDate('2026-12-03', NOW), new Date(2026, 11, 3).getTime());
  assert.equal(parseDate('2026-12-03T17:30:00Z', NOW), Date.UTC(2026, 11, 3, 17, 30));
  assert.equal(parseDate('2026-12-03T17:30:00+02:00', NOW), Date.UTC(2026, 11, 3, 15, 30));
  assert.equal(parseDate('2026-02-30', NOW), undefined);
  assert.equal(parseDate('next tuesday', NOW), undefined);
});

test('a bare time of day is today', () => {
  assert.equal(parseDate('5:00pm', NOW), new Date(2026, 11, 3, 17, 0).getTime());
  assert.equal(parseDate('11am', NOW), new Date(2026, 11, 3, 11, 0).getTime());
  assert.equal(parseDate('23:15:10', NOW), new Date(2026, 11, 3, 23, 15, 10).getTime());
  assert.equal(parseDate('13:00pm', NOW), undefined);
});

test('strptime with once_fmt directives, isoLocal back', () => {
  const t = strptime('2026-12-03T17:30:05', '%Y-%m-%dT%H:%M:%S');
  assert.equal(t, new Date(2026, 11, 3, 17, 30, 5).getTime());
  assert.equal(isoLocal(t), '2026-12-03T17:30:05');
  assert.equal(strptime('03.12.2026', '%d.%m.%Y'), new Date(2026, 11, 3).getTime());
  assert.equal(strptime('2026-12-03', '%Y-%m-%dT%H'), undefined);
  assert.equal(strptime('2026-12-03', '%Y-%j'), undefined);
});
