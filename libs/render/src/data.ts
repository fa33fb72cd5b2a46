import { parseDocument, type Tags } from 'yaml';
import { errorLine } from '@tsalt/core';
import { JsonRenderError, YamlRenderError } from './errors.js';

/*
 * The data renderers: Salt's `yaml` (PyYAML's safe loader: YAML 1.1) and
 * `json`. Both read text (usually the Jinja stage's output) and return
 * plain JS data; line numbers in their errors are of that text.
 */

/** The 1-based line of a character offset in `text`. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < Math.min(offset, text.length); i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The line's text for a message: trimmed, at most 120 characters. */
function shownLine(text: string, line: number): string {
  return (text.split('\n')[line - 1] ?? '').trim().slice(0, 120);
}

/**
 * Integers beyond 2^53 (a jid written bare: `- jid: {{ data['jid'] }}`)
 * would lose digits as numbers; they stay strings. Dates come back as the
 * ISO text. Everything else is plain JSON-like data.
 */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint')
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

// PyYAML's booleans: YAML 1.1's without the single letters (`y`, `n` stay strings, as in Salt).
const PY_TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const PY_FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;

function pyyamlTags(tags: Tags): Tags {
  return tags.map((t) => {
    if (typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:bool' || !('test' in t) || !t.test) return t;
    return { ...t, test: t.test.test('yes') ? PY_TRUE : PY_FALSE };
  });
}

/**
 * Parses rendered text as YAML 1.1 with PyYAML's rules; `null` for an empty
 * document. Lines are of the rendered text.
 * @throws YamlRenderError RENDER_YAML, with `line` when the parser gives a position
 */
export function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, {
    version: '1.1',
    customTags: pyyamlTags,
    intAsBigInt: true,
    prettyErrors: false,
    uniqueKeys: false,
  });
  const first = doc.errors[0];
  if (first) {
    const line = lineOf(text, first.pos[0]);
    const shown = shownLine(text, line);
    throw new YamlRenderError(
      `${file}: line ${line} (rendered): YAML error: ${first.message.split('\n')[0] ?? first.message}${shown ? ` in: ${shown}` : ''}`,
      { cause: first, line },
    );
  }
  try {
    // Aliases expanding to more than 100 nodes are refused (a "billion laughs" document).
    return plain(doc.toJS({ maxAliasCount: 100 }));
  } catch (err) {
    throw new YamlRenderError(`${file}: YAML error: ${errorLine(err)}`, { cause: err });
  }
}

/**
 * Parses rendered text as JSON; `null` for blank text (as the YAML stage
 * gives for an empty document).
 * @throws JsonRenderError RENDER_JSON, with `line` when Node reports a position
 */
export function parseJson(text: string, file: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    // V8 quotes the text in its message, newlines and all: one line for logs.
    const msg = err instanceof Error ? err.message.replace(/\s*\n\s*/g, ' ') : errorLine(err);
    const at = /position (\d+)/.exec(msg);
    const line = at ? lineOf(text, Number(at[1])) : undefined;
    throw new JsonRenderError(`${file}${line ? `: line ${line} (rendered)` : ''}: JSON error: ${msg}`, {
      cause: err,
      ...(line ? { line } : {}),
    });
  }
}
