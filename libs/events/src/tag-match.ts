import { fnmatchRegExp } from '@tsalt/core';

/**
 * Salt's `event_match_type`: how a listener's tag pattern matches a tag.
 * `fnmatch` is what state.event's `tagmatch` and the reactor use.
 */
export function tagMatcher(
  pattern: string,
  matchType: 'fnmatch' | 'startswith' | 'regex' = 'fnmatch',
): (tag: string) => boolean {
  if (matchType === 'startswith') return (tag) => tag.startsWith(pattern);
  if (matchType === 'regex') {
    const re = new RegExp(pattern);
    // Python's re.match anchors at the start only.
    return (tag) => re.exec(tag)?.index === 0;
  }
  if (pattern === '*') return () => true;
  const re = fnmatchRegExp(pattern);
  return (tag) => re.test(tag);
}

/**
 * The literal start of an fnmatch pattern, up to its first wildcard: what
 * to subscribe to so ZeroMQ filters before the listener does
 * (`salt/job/*` -> `salt/job/`, `*` -> '').
 */
export function tagPrefix(pattern: string): string {
  const i = pattern.search(/[*?[]/);
  return i < 0 ? pattern : pattern.slice(0, i);
}
