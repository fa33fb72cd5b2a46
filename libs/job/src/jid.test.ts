import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertJid, genJid, isJid, jidFromDate, jidToDate, jidToTime, JobError } from './index.js';

test('10,000 jids from a tight loop are unique, 20 digits and strictly increasing', () => {
  const jids: string[] = [];
  for (let i = 0; i < 10_000; i++) jids.push(genJid());
  assert.equal(new Set(jids).size, jids.length);
  for (let i = 1; i < jids.length; i++) assert.ok(jids[i - 1]! < jids[i]!, `${jids[i - 1]} !< ${jids[i]}`);
  for (const j of jids) assert.match(j, /^\d{20}$/);
});

test('jids keep increasing across utc_jid and unique_jid calls', () => {
  const a = genJid({ unique_jid: true });
  assert.match(a, new RegExp(`^\\d{20}_${process.pid}$`));
  assert.ok(isJid(a));
  const b = genJid({ utc_jid: true });
  const c = genJid({ utc_jid: true });
  assert.ok(b < c);
});

test('a fresh jid names now, in local time by default and UTC with utc_jid', () => {
  const before = Date.now();
  const local = jidToDate(genJid()).getTime();
  const utc = jidToDate(genJid({ utc_jid: true }), true).getTime();
  const after = Date.now();
  // genJid may run up to a few ms ahead of the clock after a tight loop (last + 1 µs each).
  assert.ok(local >= before - 1 && local <= after + 50, `${before} ${local} ${after}`);
  assert.ok(utc >= before - 1 && utc <= after + 50);
});

test('isJid follows Salt: 20 digits, or digits + _suffix; rejects path tricks', () => {
  for (const ok of ['20190724155501240253', '20190724155501240253_1234', '20190724155501240253_abc-1'])
    assert.ok(isJid(ok), ok);
  for (const bad of [
    '',
    'req',
    'nocache',
    '2019072415550124025',
    '201907241555012402531',
    '20190724155501240253_',
    '20190724155501240253_../x',
    '20190724155501240253_a/b',
    '2019072415550124025a',
    '../../../etc/passwd',
    '20190724155501240253.123.tmp',
    // A jid as a number cannot even hold its 20 digits (2^53 is 16 digits).
    2 ** 64,
    null,
    undefined,
    {},
  ]) {
    assert.equal(isJid(bad), false, JSON.stringify(bad));
  }
  assert.throws(
    () => assertJid('../x'),
    (e: unknown) => e instanceof JobError && e.code === 'BAD_JID',
  );
});

test('jidToTime uses Salt format; jidToDate reads local or UTC', () => {
  assert.equal(jidToTime('20190724155501240253'), '2019, Jul 24 15:55:01.240253');
  assert.equal(jidToTime('20240105090807000001_42'), '2024, Jan 05 09:08:07.000001');
  assert.equal(jidToTime('nope'), '');
  const d = jidToDate('20190724155501240253');
  assert.deepEqual(
    [d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()],
    [2019, 6, 24, 15, 55, 1, 240],
  );
  assert.equal(jidToDate('20190724155501240253', true).toISOString(), '2019-07-24T15:55:01.240Z');
  assert.throws(() => jidToDate('x'), { code: 'BAD_JID' });
});

test('jidFromDate round trips with jidToDate', () => {
  const d = new Date(2021, 2, 4, 5, 6, 7, 890);
  const jid = jidFromDate(d);
  assert.equal(jid, '20210304050607890000');
  assert.equal(jidToDate(jid).getTime(), d.getTime());
  const u = new Date(Date.UTC(2021, 11, 31, 23, 59, 59, 1));
  assert.equal(jidFromDate(u, { utc_jid: true }), '20211231235959001000');
});
