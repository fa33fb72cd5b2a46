/** Python truthiness, which Salt's retcode rule relies on. */
export function pyTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (typeof v === 'number' && Number.isNaN(v)) return true; // Python: bool(nan) is True
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/**
 * Salt's retcode for a finished call (salt/minion.py, `_thread_return`): the
 * retcode the function set in `__context__` when non-zero; otherwise 1 when
 * the return is a dict whose `result` or `success` is present and falsy
 * (Python truthiness: None, 0, '' and empty containers count as false).
 */
export function computeRetcode(ret: unknown, ctxRetcode: number): number {
  if (ctxRetcode !== 0) return ctxRetcode;
  if (typeof ret === 'object' && ret !== null && !Array.isArray(ret)) {
    const r = ret as Record<string, unknown>;
    for (const key of ['result', 'success']) {
      if (key in r && !pyTruthy(r[key])) return 1;
    }
  }
  return 0;
}
