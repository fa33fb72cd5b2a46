/**
 * A look at a request's outer msgpack map before anything is decoded: is it
 * `{enc: 'aes', load: <bytes>, ...}` with only scalars and byte strings at
 * the top? Such a request costs one HMAC over its bytes to refuse, so it may
 * skip the limits on clear requests; anything else (a map or array at the
 * top, an odd layout, not msgpack) is read as clear, with those limits.
 * Hand-written because @msgpack/msgpack has no way to skip values unread.
 */

/** More top-level fields than any envelope has (Salt's: enc, load, sig, version, id, nonce). */
const MAX_FIELDS = 16;

/** Where the value at `pos` ends when it is a scalar or a str/bin; undefined for maps, arrays, ext, garbage. */
function skipFlat(b: Buffer, pos: number): number | undefined {
  if (pos >= b.length) return undefined;
  const h = b[pos]!;
  if (h <= 0x7f || h >= 0xe0) return pos + 1; // fixint
  if (h >= 0xa0 && h <= 0xbf) return pos + 1 + (h & 0x1f); // fixstr
  const len = (n: number): number | undefined => {
    if (pos + 1 + n > b.length) return undefined;
    return n === 1 ? b[pos + 1]! : n === 2 ? b.readUInt16BE(pos + 1) : b.readUInt32BE(pos + 1);
  };
  const sized = (n: number): number | undefined => {
    const l = len(n);
    return l === undefined ? undefined : pos + 1 + n + l;
  };
  switch (h) {
    case 0xc0: // nil
    case 0xc2: // false
    case 0xc3: // true
      return pos + 1;
    case 0xcc:
    case 0xd0:
      return pos + 2;
    case 0xcd:
    case 0xd1:
      return pos + 3;
    case 0xca:
    case 0xce:
    case 0xd2:
      return pos + 5;
    case 0xcb:
    case 0xcf:
    case 0xd3:
      return pos + 9;
    case 0xc4: // bin 8/16/32
    case 0xd9: // str 8/16/32
      return sized(1);
    case 0xc5:
    case 0xda:
      return sized(2);
    case 0xc6:
    case 0xdb:
      return sized(4);
    default:
      return undefined;
  }
}

/** A str (fixstr, str 8/16/32) or bin (8/16/32) header byte. */
function isBytesHead(h: number): boolean {
  return (h >= 0xa0 && h <= 0xbf) || (h >= 0xc4 && h <= 0xc6) || (h >= 0xd9 && h <= 0xdb);
}

/** The text of a str at `pos` with its end, when it is one of at most 255 bytes. */
function shortStr(b: Buffer, pos: number): { text: string; end: number } | undefined {
  const h = b[pos];
  let start: number;
  let n: number;
  if (h !== undefined && h >= 0xa0 && h <= 0xbf) [start, n] = [pos + 1, h & 0x1f];
  else if (h === 0xd9 && pos + 1 < b.length) [start, n] = [pos + 2, b[pos + 1]!];
  else if (h === 0xc4 && pos + 1 < b.length) [start, n] = [pos + 2, b[pos + 1]!];
  else return undefined;
  if (start + n > b.length) return undefined;
  return { text: b.toString('latin1', start, start + n), end: start + n };
}

/** True when `payload` is an AES envelope whose top level holds nothing but scalars and bytes. */
export function isFlatAesEnvelope(payload: Buffer): boolean {
  const h = payload[0];
  let count: number;
  let pos: number;
  if (h !== undefined && h >= 0x80 && h <= 0x8f) [count, pos] = [h & 0x0f, 1];
  else if (h === 0xde && payload.length >= 3) [count, pos] = [payload.readUInt16BE(1), 3];
  else return false;
  if (count > MAX_FIELDS) return false;
  let enc: string | undefined;
  let loadIsBytes = false;
  for (let i = 0; i < count; i++) {
    const key = shortStr(payload, pos);
    if (!key) return false;
    const valueAt = key.end;
    const end = skipFlat(payload, valueAt);
    if (end === undefined) return false;
    if (key.text === 'enc') enc = shortStr(payload, valueAt)?.text;
    if (key.text === 'load') loadIsBytes = isBytesHead(payload[valueAt]!);
    pos = end;
  }
  return pos === payload.length && enc === 'aes' && loadIsBytes;
}
