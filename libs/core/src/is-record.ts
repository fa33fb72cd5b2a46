/**
 * A map (a Python dict on the wire): an object that is neither an array nor
 * msgpack's bytes (Uint8Array), so a `bin` value is never read as a dict.
 */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}
