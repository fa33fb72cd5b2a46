import { stringify } from 'yaml';
import fs from 'node:fs';
const d = JSON.parse(fs.readFileSync('/tmp/d.json','utf8'));
const o = { version: '1.1', sortMapEntries: true, indentSeq: false, singleQuote: true, blockQuote: false, lineWidth: 80, minContentWidth: 0 };
process.stdout.write(stringify(d, o));
