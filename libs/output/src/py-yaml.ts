/**
 * PyYAML `safe_dump(data, default_flow_style=False, allow_unicode=True)`
 * look, from the `yaml` package: keys sorted, block style, list items not
 * indented under their key, single quotes when a string would otherwise
 * read as another type. The YAML 1.1 schema is patched to PyYAML's
 * resolvers so the same strings get quoted ('yes', 'on', '=', but not 'y').
 * Known differences: long lines fold at 80 columns strictly (PyYAML lets a
 * word run past), and integral floats print as integers.
 */
import { Document, isScalar, visit, type ScalarTag, type Tags, type ToStringOptions } from 'yaml';

// PyYAML's implicit resolvers (resolver.py).
const PY_BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const PY_FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

const pyResolvers = (tags: Tags): Tags => [
  // Dropped: its identify() would claim the string '<<' and print it bare.
  ...tags
    .filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:merge')
    .map((t) => {
      if (typeof t === 'string' || 'collection' in t) return t; // tag names, or map/seq
      const scalar: ScalarTag = t;
      if (scalar.tag === 'tag:yaml.org,2002:bool') return { ...scalar, test: PY_BOOL };
      if (scalar.tag === 'tag:yaml.org,2002:float') return { ...scalar, test: PY_FLOAT };
      return scalar;
    }),
  // PyYAML also resolves '=' (value) and '<<' (merge), so it quotes them.
  { tag: 'tag:yaml.org,2002:value', default: true, test: /^(?:=|<<)$/, resolve: (s: string) => s },
];

const TO_STRING: ToStringOptions = {
  indentSeq: false,
  singleQuote: true,
  // PyYAML never uses | or > blocks by default: multi-line text is single-quoted and folded.
  blockQuote: false,
  lineWidth: 80,
  minContentWidth: 0,
};

// Characters PyYAML's emitter treats as "special": the string must be double-quoted.
const PY_SPECIAL = /[\x00-\x08\x09\x0b-\x1f\x7f-\x84\x86-\x9f\ufeff\ud800-\udfff]/;

export function pyYamlDump(data: unknown): string {
  const doc = new Document(data, {
    version: '1.1',
    customTags: pyResolvers,
    sortMapEntries: true,
  });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && PY_SPECIAL.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  let text = doc.toString(TO_STRING).replace(/\n$/, '');
  // PyYAML ends a document holding one plain scalar with an explicit '...'.
  if (isScalar(doc.contents) && text !== '' && !/^['"]/.test(text) && !text.includes('\n')) text += '\n...';
  return text;
}
