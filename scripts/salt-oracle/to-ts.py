# Writes libs/modules/src/file/salt-cases.data.ts from oracle.py's output.
# Usage: python3 to-ts.py expected.json > ../../libs/modules/src/file/salt-cases.data.ts  (then prettier)
import json, sys
d = json.load(open(sys.argv[1]))
rows = []
for c in d:
    err = c['err'].split(': ', 1)[1] if c['err'] else None
    row = {k: c[k] for k in ('fn', 'content', 'args', 'kwargs', 'ret', 'after')} | {'err': err}
    if c.get('raw'):
        row['raw'] = True
    if c.get('files'):
        row['files'] = c['files']
    rows.append(row)
print(open(__file__.replace('to-ts.py', 'header.ts.txt')).read(), end='')
print('export const SALT_CASES: SaltCase[] = [')
for r in rows:
    print('  ' + json.dumps(r, ensure_ascii=False) + ',')
print('];')
