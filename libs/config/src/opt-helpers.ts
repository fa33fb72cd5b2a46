/** Salt's default `keep_jobs` (hours); any other value means the user set it. */
const DEFAULT_KEEP_JOBS_HOURS = 24;

/**
 * Salt's `get_keep_jobs_seconds`: how long the job cache keeps a job, s.
 * `keep_jobs` (hours) is the old name; when the user changed it from 24 it
 * still wins, as `keep_jobs * 3600`. Otherwise `keep_jobs_seconds` applies.
 * 0 means keep forever.
 */
export function keepJobsSeconds(opts: { keep_jobs?: unknown; keep_jobs_seconds?: unknown }): number {
  const hours = typeof opts.keep_jobs === 'number' ? opts.keep_jobs : DEFAULT_KEEP_JOBS_HOURS;
  if (hours !== DEFAULT_KEEP_JOBS_HOURS) return hours * 3600;
  return typeof opts.keep_jobs_seconds === 'number' ? opts.keep_jobs_seconds : 86400;
}

/**
 * A string-or-list option (`return`, `event_return`, `master`) as a list.
 * Salt accepts comma-separated strings for returners, so `"mysql, syslog"`
 * gives `['mysql', 'syslog']`; empty entries are dropped.
 */
export function optionList(value: unknown): string[] {
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [];
  return items
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}
