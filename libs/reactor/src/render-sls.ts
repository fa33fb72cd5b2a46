import fs from 'node:fs';
import { parseDocument, type Tags } from 'yaml';
import { errorLine } from '@tsalt/core';
import { ReactorError } from './errors.js';
import type { Constant } from './jinja/template.js';
import { compileTemplate, renderTemplate } from './jinja/template.js';
import type { Program } from './jinja/lib.js';

/** What a reactor SLS sees while rendering: Salt gives `tag` and `data`, a minimal `opts`, no grains or pillar. */
export interface RenderVars {
  tag: string;
  data: Record<string, unknown>;
  /** A Constant when the caller renders many times with the same options (converted once). */
  opts: Record<string, unknown> | Constant;
}

interface Cached {
  /** When the file was last checked for changes (ms). */
  checkedAt: number;
  mtimeMs: number;
  size: number;
  source: string;
  program: Program;
}

// Compiled templates by path; a file is re-read when its mtime or size changes, checked at most
// this often (ms): one stat per event is a measurable share of a reaction at 1,000 events/s.
const CHECK_EVERY_MS = 1000;
const CACHE_MAX = 256;
const cache = new Map<string, Cached>();

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < Math.min(offset, text.length); i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Loads and compiles `file`, reusing the last compile while the file is unchanged. */
function load(file: string): Cached {
  const now = Date.now();
  const hit = cache.get(file);
  if (hit && now - hit.checkedAt < CHECK_EVERY_MS) return hit;
  let st: fs.Stats;
  let source: string;
  try {
    st = fs.statSync(file);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) {
      hit.checkedAt = now;
      return hit;
    }
    source = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ReactorError('SLS_MISSING', `${file}: cannot read the reactor SLS: ${errorLine(err)}`, { cause: err });
  }
  // A syntax error is not cached: the next event reads the (maybe fixed) file again.
  const entry: Cached = {
    checkedAt: now,
    mtimeMs: st.mtimeMs,
    size: st.size,
    source,
    program: compileTemplate(source, file),
  };
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(file, entry);
  return entry;
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

/** Parses the rendered text as YAML 1.1 with PyYAML's rules. Lines are of the rendered text. */
export function parseRendered(text: string, file: string): unknown {
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
    const shown = (text.split('\n')[line - 1] ?? '').trim().slice(0, 120);
    throw new ReactorError(
      'RENDER_YAML',
      `${file}: line ${line} (rendered): YAML error: ${first.message.split('\n')[0] ?? first.message}${shown ? ` in: ${shown}` : ''}`,
      { cause: first, line },
    );
  }
  try {
    return plain(doc.toJS({ maxAliasCount: 100 }));
  } catch (err) {
    throw new ReactorError('RENDER_YAML', `${file}: YAML error: ${errorLine(err)}`, { cause: err });
  }
}

/**
 * Renders one reactor SLS (Jinja, then YAML) and returns the data: `null`
 * when it renders to nothing (a false `{% if %}` around everything).
 * @throws ReactorError SLS_MISSING, RENDER_JINJA, RENDER_YAML (with `line`)
 */
export function renderSls(file: string, vars: RenderVars): unknown {
  const { source, program } = load(file);
  const text = renderTemplate(program, source, file, {
    tag: vars.tag,
    data: vars.data,
    opts: vars.opts,
    grains: {},
    pillar: {},
    saltenv: 'base',
    sls: file,
  });
  return parseRendered(text, file);
}
