# Runs Salt 3006.8's own salt/modules/file.py on each case (a temp file per case) and prints
# the cases with Salt's return, exception and resulting file content, for to-ts.py.
# Needs Debian's python3-msgpack python3-distro python3-packaging python3-psutil python3-yaml
# python3-jinja2 and a stub 'looseversion' module (an empty LooseVersion class) on PYTHONPATH.
# Usage: SALT_SRC=/work/shared/salt-3006.8 python3 oracle.py cases.json > expected.json
import json, os, sys, tempfile, shutil
sys.path.insert(0, os.environ.get('SALT_SRC', '/work/shared/salt-3006.8'))
import salt.modules.file as f
import salt.utils.stringutils, salt.utils.files
f.__opts__ = {'test': False, 'hash_type': 'sha256', 'cachedir': tempfile.mkdtemp(), 'file_roots': {'base': []}}
f.__utils__ = {'stringutils.get_diff': salt.utils.stringutils.get_diff, 'files.is_text': salt.utils.files.is_text,
  'files.is_binary': salt.utils.files.is_binary, 'files.get_encoding': salt.utils.files.get_encoding}
f.__salt__ = {
    'cp.cache_file': lambda path, saltenv='base', **kw: path if os.path.isfile(path) else False,
    'config.backup_mode': lambda backup: '',
    'config.option': lambda key: False,
}
f.__grains__ = {'kernel': 'Linux'}

def subst(v, d, p):
    # '<D>' is the case's temp dir, '<F>' its file: for cases whose args name other paths.
    if isinstance(v, str): return v.replace('<F>', p).replace('<D>', d)
    if isinstance(v, list): return [subst(x, d, p) for x in v]
    if isinstance(v, dict): return {k: subst(x, d, p) for k, x in v.items()}
    return v
cases = json.load(open(sys.argv[1]))
out = []
for c in cases:
    d = tempfile.mkdtemp()
    p = os.path.join(d, 'f.txt')
    with open(p, 'wb') as fh: fh.write(c['content'].encode())
    for name, text in c.get('files', {}).items():
        with open(os.path.join(d, name), 'w') as fh: fh.write(text)
    args = subst(c.get('args', []), d, p)
    if not c.get('raw'): args = [p] + args
    try:
        r = getattr(f, {'makedirs': 'makedirs_'}.get(c['fn'], c['fn']))(*args, **subst(c.get('kwargs', {}), d, p))
        err = None
    except Exception as e:
        r = None; err = type(e).__name__ + ': ' + str(e)
    after = None
    if os.path.isfile(p):
        with open(p, 'rb') as fh: after = fh.read().decode()
    r = json.loads(json.dumps(r).replace(d, '<DIR>'))
    if err: err = err.replace(d, '<DIR>')
    out.append(dict(c, ret=r, err=err, after=after))
    shutil.rmtree(d)
json.dump(out, sys.stdout, indent=1)
