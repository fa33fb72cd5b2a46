import { fn, str, type RV } from './values.js';

/*
 * Jinja's `do` extension, which Salt turns on: `{% do d.update({'a': 1}) %}`
 * evaluates an expression for its effect and prints nothing. The library
 * has no `do`, so its tokens are rewritten before parsing:
 *
 *   {% do X %}  ->  {{ __tsalt_do__(X) }}
 */

export const DO_FN = '__tsalt_do__';

interface Token {
  value: string;
  type: string;
}

type TokenCtor = new (value: string, type: string) => Token;

/** The tokens with every `{% do X %}` turned into an expression that prints ''. */
export function rewriteDo(tokens: unknown[]): unknown[] {
  const ts = tokens as Token[];
  const first = ts[0];
  if (!first || !ts.some((t, i) => t.type === 'OpenStatement' && ts[i + 1]?.value === 'do')) return tokens;
  const Ctor = first.constructor as TokenCtor;
  const out: Token[] = [];
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    const kw = ts[i + 1];
    if (t.type !== 'OpenStatement' || kw?.type !== 'Identifier' || kw.value !== 'do') {
      out.push(t);
      continue;
    }
    let end = i + 2;
    while (end < ts.length && ts[end]!.type !== 'CloseStatement') end++;
    if (end >= ts.length) throw new SyntaxError("Expected %} after '{% do'");
    if (end === i + 2) throw new SyntaxError("Expected an expression after '{% do'");
    out.push(
      new Ctor('{{', 'OpenExpression'),
      new Ctor(DO_FN, 'Identifier'),
      new Ctor('(', 'OpenParen'),
      ...ts.slice(i + 2, end),
      new Ctor(')', 'CloseParen'),
      new Ctor('}}', 'CloseExpression'),
    );
    i = end;
  }
  return out;
}

/** The function `do` calls: its argument has been evaluated; nothing is printed. */
export const doFunction: RV = fn(() => str(''));
