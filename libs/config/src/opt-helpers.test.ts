import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keepJobsSeconds, optionList, MASTER_DEFAULTS } from './index.js';

test('keepJobsSeconds follows Salt get_keep_jobs_seconds', () => {
  assert.equal(keepJobsSeconds(MASTER_DEFAULTS), 86400);
  assert.equal(keepJobsSeconds({ keep_jobs: 24, keep_jobs_seconds: 600 }), 600);
  assert.equal(keepJobsSeconds({ keep_jobs: 2, keep_jobs_seconds: 600 }), 7200);
  assert.equal(keepJobsSeconds({ keep_jobs: 0, keep_jobs_seconds: 600 }), 0);
  assert.equal(keepJobsSeconds({ keep_jobs: 24, keep_jobs_seconds: 0 }), 0);
  assert.equal(keepJobsSeconds({}), 86400);
});

test('optionList splits comma strings and keeps lists', () => {
  assert.deepEqual(optionList(''), []);
  assert.deepEqual(optionList('mysql, syslog'), ['mysql', 'syslog']);
  assert.deepEqual(optionList(['mysql']), ['mysql']);
  assert.deepEqual(optionList(undefined), []);
});
