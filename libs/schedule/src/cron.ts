import { Cron } from 'croner';

/*
 * `cron:` entries. Salt reads them with croniter: five fields (minute, hour,
 * day of month, month, day of week), or six with seconds last; day of month
 * and day of week combine with OR when both are restricted. croner reads
 * the same syntax (its `legacyMode`, the default, is that OR) but puts
 * seconds first, so a six-field string is turned round before it is read.
 */

const cache = new Map<string, Cron | undefined>();
const CACHE_MAX = 1000;

function compile(spec: string): Cron | undefined {
  if (cache.has(spec)) return cache.get(spec);
  const fields = spec.trim().split(/\s+/);
  let pattern: string | undefined;
  if (fields.length === 5) pattern = fields.join(' ');
  else if (fields.length === 6) pattern = [fields[5], ...fields.slice(0, 5)].join(' ');
  let cron: Cron | undefined;
  try {
    cron = pattern === undefined ? undefined : new Cron(pattern, { paused: true });
  } catch {
    cron = undefined;
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(spec, cron);
  return cron;
}

/** True when `spec` is a cron string tsalt reads. */
export function validCron(spec: unknown): spec is string {
  return typeof spec === 'string' && compile(spec) !== undefined;
}

/** The first time after `after` (ms since epoch, local time) that `spec` matches, or undefined (bad spec, or never). */
export function nextCronTime(spec: string, after: number): number | undefined {
  const next = compile(spec)?.nextRun(new Date(after));
  return next ? next.getTime() : undefined;
}
