import fs from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError, CONFIG_PARSE, CONFIG_READ } from './errors.js';

/** 1-based line of a character offset, for `<file>: line N: <reason>`. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  return `a ${typeof value}`;
}

/**
 * Reads one YAML config file. Returns `undefined` when it does not exist, `{}`
 * when it is empty or only comments. YAML 1.1 rules apply, as with PyYAML in
 * Salt: `yes`/`no`/`on`/`off` are booleans and `0644` is octal.
 * @throws ConfigError CONFIG_READ (unreadable), CONFIG_PARSE (bad YAML, or a top level that is not a mapping)
 */
export function readConfigFile(file: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new ConfigError(CONFIG_READ, `${file}: cannot read config file (${code ?? String(err)})`, { cause: err });
  }
  const doc = parseDocument(text, { version: '1.1', prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const reason = first.message.split('\n')[0] ?? first.message;
    throw new ConfigError(CONFIG_PARSE, `${file}: line ${lineOf(text, first.pos[0])}: ${reason}`, { cause: first });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // Alias bombs and similar: the document parsed but cannot be expanded safely.
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ConfigError(CONFIG_PARSE, `${file}: ${reason}`, { cause: err });
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data) || data instanceof Date) {
    throw new ConfigError(
      CONFIG_PARSE,
      `${file}: the top level must be a mapping of keys to values, got ${kindOf(data)}`,
    );
  }
  const conf = data as Record<string, unknown>;
  // Salt turns a numeric id (`id: 1234`) into a string rather than rejecting it.
  if (typeof conf['id'] === 'number') conf['id'] = String(conf['id']);
  return conf;
}
