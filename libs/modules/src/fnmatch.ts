/**
 * Python's `fnmatch.fnmatch` (POSIX, case-sensitive): `*` matches anything,
 * `/` and `.` included; `?` one character; `[seq]` and `[!seq]` sets.
 */
export function fnmatch(name: string, pattern: string): boolean {
  return translate(pattern).test(name);
}

const cache = new Map<string, RegExp>();

function translate(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '[') {
      const end = pattern.indexOf(']', pattern[i + 1] === '!' ? i + 3 : i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      body = body.replace(/\\/g, '\\\\').replace(/\]/g, '\\]').replace(/\^/g, '\\^');
      re += `[${negate ? '^' : ''}${body}]`;
      i = end;
    } else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const compiled = new RegExp(`^${re}$`, 's');
  if (cache.size > 256) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}
