/*
 * Salt's timing fields: `start_time` is the local wall-clock time of day as
 * Python's `time.isoformat()` prints it (`HH:MM:SS.ffffff`, the fraction
 * left out when it is exactly zero) and `duration` is in milliseconds with
 * microsecond resolution.
 */

/** Now, in epoch milliseconds with sub-millisecond precision (performance's clock, anchored at its origin). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Local time of day of `epochMs` as Python's `datetime.time.isoformat()`. */
export function localTimeOfDay(epochMs: number): string {
  const d = new Date(Math.floor(epochMs));
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  // Microseconds within the second: the Date's milliseconds plus the sub-millisecond part.
  const micros = d.getMilliseconds() * 1000 + Math.floor((epochMs - Math.floor(epochMs)) * 1000);
  return micros === 0 ? hms : `${hms}.${pad(micros, 6)}`;
}

/** Milliseconds between two `nowMs()` readings, rounded to whole microseconds as Salt's timedelta arithmetic is. */
export function durationMs(startMs: number, endMs: number): number {
  return Math.round((endMs - startMs) * 1000) / 1000;
}

/** Salt's `_calculate_fake_duration`: the timing of a state that was not called. */
export function fakeTiming(): { start_time: string; duration: number } {
  const t0 = nowMs();
  return { start_time: localTimeOfDay(t0), duration: durationMs(t0, nowMs()) };
}
