# Golden outputs of Salt 3006.8's own highstate outputter, for libs/output's highstate tests.
#
# Defines the sample state returns (CASES below), runs each through the unmodified Salt source
# (salt.output.out_format(data, 'highstate', opts), the path Salt's CLI takes, with its
# try_printout fallback to nested), and writes
#   libs/output/src/outputters/fixtures/highstate-cases.json   the inputs: name, opts, data
#   libs/output/src/outputters/fixtures/highstate/<name>.txt   Salt's output, byte for byte (no newline added)
# opts start from Salt's minion defaults (state_verbose True, state_output full,
# state_output_profile True); each case overrides some, with `color` for ANSI on/off.
#
# Needs Debian's python3 with Salt's packages (run /work/shared/salt-peer/salt.sh salt-call --version once
# as root to install them). Usage, from the repo root:
#   PYTHONPATH=/work/shared/salt-3006.8:/work/shared/salt-peer/shim /usr/bin/python3 scripts/highstate-fixtures/gen.py
import copy, json, os, sys

import salt.config
import salt.output

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUT = os.path.join(ROOT, 'libs', 'output', 'src', 'outputters', 'fixtures')


def st(state, id_, name, fun, result, comment, changes, run, dur, start='10:00:00.000001', sls='base', **extra):
    """One state return, keyed as Salt keys it."""
    ret = {'name': name, 'result': result, 'changes': changes, 'comment': comment, '__run_num__': run,
           '__id__': id_, '__sls__': sls, 'start_time': start, 'duration': float(dur)}
    ret.update(extra)
    return f'{state}_|-{id_}_|-{name}_|-{fun}', ret


def host(*states):
    return dict(states)


MIXED = host(
    st('pkg', 'nginx', 'nginx', 'installed', True, 'All specified packages are already installed', {}, 1, 31.25,
       start='10:00:00.100000'),
    st('file', 'motd', '/etc/motd', 'managed', True, 'File /etc/motd updated',
       {'diff': '--- \n+++ \n@@ -1 +1 @@\n-old\n+new\n', 'mode': '0644'}, 0, 12.5),
    st('service', 'nginx-svc', 'nginx', 'running', None, 'Service nginx is set to start',
       {'nginx': True}, 2, 1.75, start='10:00:00.200000'),
    st('cmd', 'hello', 'echo hello', 'run', True, 'Command "echo hello" run',
       {'pid': 4242, 'retcode': 0, 'stderr': '', 'stdout': 'hello'}, 3, 8.003),
)

FAILED = host(
    st('file', '/etc/app.conf', '/etc/app.conf', 'managed', False,
       'Source file salt://app.conf not found in saltenv \'base\'\nsecond line\n', {}, 0, 3.3),
    st('cmd', 'broken', 'false', 'run', False, ['Command "false" run', 'retcode 1'],
       {'pid': 7, 'retcode': 1, 'stderr': '', 'stdout': ''}, 1, 5.0),
    st('test', 'ok', 'ok', 'succeed_without_changes', True, 'Success!', {}, 2, 0.4),
    st('test', 'weird-changes', 'weird-changes', 'configurable_test_state', True, 'odd', 'a string change', 3, 0.25),
    st('test', 'warned', 'warned', 'succeed_with_changes', True, 'Success!', {'testing': {'old': 'Unchanged', 'new': 'Something pretended to change'}}, 4, 0.5,
       warnings=['The state option "foo" is deprecated and will be removed in a future release of Salt, '
                 'use "bar" instead; see the release notes for more on this change.', 'second warning']),
    st('module', 'with-data', 'test.ping', 'run', True, 'Module function test.ping executed', {'ret': True}, 5, 2.0,
       data=['extra', 'bits']),
    st('pkg', 'req-failed', 'vim', 'installed', False, 'One or more requisite failed: base./etc/app.conf', {}, 6, 0.0,
       start='10:00:01.000000'),
)

MANY = host(*[st('test', f'state-{i:02d}', f'state-{i:02d}', 'succeed_with_changes' if i % 3 == 0 else 'nop',
                 True, 'Success!', {'testing': {'old': 'Unchanged', 'new': 'Something pretended to change'}} if i % 3 == 0 else {},
                 i, 100.5 + i) for i in range(12)])

SUB = {'ret': {'sub-1': host(st('test', 'inner', 'inner', 'succeed_with_changes', True, 'Success!', {'x': 1}, 0, 1.5))},
       'out': 'highstate'}

CASES = []


def case(name, data, color=False, **opts):
    CASES.append({'name': name, 'color': color, 'opts': opts, 'data': data})


case('full', {'web-1': MIXED})
case('full-color', {'web-1': MIXED}, color=True)
case('failures', {'web-1': FAILED})
case('failures-color', {'web-1': FAILED}, color=True)
case('terse', {'web-1': MIXED}, state_output='terse')
case('terse-color', {'web-1': FAILED}, color=True, state_output='terse')
case('terse-no-profile', {'web-1': FAILED}, state_output='terse', state_output_profile=False)
case('mixed', {'web-1': FAILED}, state_output='mixed')
case('mixed-color', {'web-1': FAILED}, color=True, state_output='mixed')
case('changes', {'web-1': MIXED}, state_output='changes')
case('changes-failures', {'web-1': FAILED}, state_output='changes')
case('full-id', {'web-1': MIXED}, state_output='full_id')
case('terse-id', {'web-1': MIXED}, state_output='terse_id')
case('filter-none', {'web-1': FAILED}, state_output='filter')
case('filter-exclude-true', {'web-1': FAILED}, state_output='filter', state_output_exclude='True,')
case('filter-terse-list', {'web-1': FAILED}, state_output='filter', state_output_terse=['True', 'None'],
     state_output_exclude=['False'])
# `exclude=True` on the command line is a bool: Salt's `in` fails and the data prints with nested.
case('filter-exclude-bool', {'web-1': MIXED}, state_output='filter', state_output_exclude=True)
case('filter-id-dict', {'web-1': FAILED}, state_output='filter_id', state_output_terse={'True': 1})
case('verbose-false', {'web-1': MIXED}, state_verbose=False)
case('verbose-false-all-clean', {'web-1': host(*[st('test', 'a', 'a', 'nop', True, 'Success!', {}, 0, 1.0)])},
     state_verbose=False)
case('output-diff', {'web-1': FAILED}, state_output_diff=True)
case('no-profile', {'web-1': MIXED}, state_output_profile=False)
case('pct', {'web-1': FAILED}, state_output_pct=True)
case('pct-color', {'web-1': MIXED}, color=True, state_output_pct=True)
case('many-seconds', {'web-1': MANY})
case('tabular', {'web-1': FAILED}, state_output='terse', state_tabular=True)
case('two-minions', {'web-1': MIXED, 'db-1': FAILED})
case('compile-errors', {'web-1': ["Rendering SLS 'base:web' failed: mapping values are not allowed here",
                                  "Specified SLS missing in saltenv base: nope\nsecond line"]})
case('compile-errors-color', {'web-1': ['No Top file or master_tops data matches found.', '\x1b[31mesc\x1b[0m']},
     color=True)
case('empty', {})
case('empty-host', {'web-1': {}})
case('empty-host-color', {'web-1': {}}, color=True)
case('host-string', {'web-1': "'state.nope' is not available.\nsecond line"}, color=True)
case('host-int', {'web-1': 3})
case('host-bool', {'web-1': True})
case('host-none', {'web-1': None})
case('not-state-dicts', {'web-1': {'foo': 'bar', 'baz': {'nested': 1}}})
case('missing-run-num', {'web-1': {'test_|-a_|-a_|-nop': {'name': 'a', 'result': True, 'changes': {}, 'comment': 'c',
                                                          '__id__': 'a', '__sls__': 'base', 'start_time': '1', 'duration': 1.5},
                                   'test_|-b_|-b_|-nop': {'name': 'b', 'result': False, 'changes': {}, 'comment': 'd',
                                                          '__run_num__': 0}}})
case('missing-changes-falls-back', {'web-1': {'test_|-a_|-a_|-nop': {'name': 'a', 'result': True, 'comment': 'c',
                                                                     '__run_num__': 0, 'duration': 1.5}}})
case('no-start-no-duration', {'web-1': {'test_|-a_|-a_|-nop': {'name': 'a', 'result': True, 'changes': {}, 'comment': 7,
                                                               '__run_num__': 0}}})
case('duration-string', {'web-1': host(st('test', 'a', 'a', 'nop', True, 'ok', {}, 0, 1.0))})
CASES[-1]['data']['web-1']['test_|-a_|-a_|-nop']['duration'] = '2.5 ms'
case('sub-highstate', {'web-1': host(st('salt', 'orch', 'deploy', 'state', True, 'Orchestration ran', SUB, 0, 9.0))})
case('orchestration-nested', {'master_master': host(
    st('salt', 'sls-run', 'state.sls', 'runner', True, 'Runner function state.sls executed',
       {'web-1': MIXED}, 0, 20.0)), 'retcode': 0})
case('envelope-return', {'return': {'web-1': MIXED}})
case('envelope-lookup-jid', {'web-1': {'jid': '20260101000000000000', 'fun': 'state.apply',
                                       'return': {'data': {'web-1': FAILED}}}})
case('changes-list', {'web-1': host(st('test', 'l', 'l', 'nop', True, 'ok', ['a', {'b': 1}], 0, 1.0))})
case('escape-in-host-and-changes', {'we\x1bb': host(st('test', 'e', 'e\x1b[0m', 'nop', True, 'x\x1by', {'k': 'v\x1b[1m'}, 0, 1.0))},
     color=True)
case('result-not-bool', {'web-1': host(st('test', 'r', 'r', 'nop', 'yes', 'odd result', {}, 0, 1.0))})
case('compress-ids', {'web-1': host(
    st('cmd', 'many', 'true', 'run', True, 'ok', {'retcode': 0}, 0, 1.0),
    st('cmd', 'many', 'false', 'run', False, 'bad', {'retcode': 1}, 1, 2.0),
    st('cmd', 'many', '/bin/true', 'run', True, 'ok', {'retcode': 0}, 2, 3.0, start='09:00:00.000000'),
    st('cmd', 'many', '/bin/false', 'run', False, 'bad', {}, 3, 4.0),
    st('cmd', 'single', 'x', 'run', True, 'ok', {}, 4, 5.0))}, state_compress_ids=True, state_output='terse_id')
case('compress-ids-full', {'web-1': host(
    st('cmd', 'many', 'true', 'run', True, 'ok', {'retcode': 0}, 0, 1.0),
    st('cmd', 'many', '/bin/true', 'run', True, 'ok', {'retcode': 0}, 2, 3.0, start='09:00:00.000000'))},
     state_compress_ids=True)
case('parallel', {'web-1': host(
    st('cmd', 'p1', 'sleep 1', 'run', True, 'ok', {}, 0, 1000.25, __parallel__=True),
    st('cmd', 'p2', 'sleep 2', 'run', True, 'ok', {}, 1, 2000.5, __parallel__=True),
    st('cmd', 'serial', 'true', 'run', True, 'ok', {}, 2, 0.0625))})
case('duration-tie', {'web-1': host(st('test', 'a', 'a', 'nop', True, 'ok', {}, 0, 0.0625))})
# A host-level 'changes' entry without a result is not a state: no "failed to record the order" text for it.
case('changes-key-at-host-level', {'web-1': {'changes': {'foo': 1},
                                             'test_|-a_|-a_|-nop': {'name': 'a', 'result': None, 'changes': {},
                                                                    'comment': '', '__run_num__': 3}}})
case('no-states-profile-off', {'web-1': {}}, state_output_profile=False)


# Returns of real runs (salt-call --local --out=json state.sls demo [test=True], and a broken sls), recorded by
# hand from Salt 3006.8 with the states in the header of real-run.md.
def real(name):
    with open(os.path.join(os.path.dirname(__file__), f'real-run{name}.json'), encoding='utf-8') as fh:
        return json.load(fh)


case('real-run', real(''))
case('real-run-color', real(''), color=True)
case('real-run-terse', real(''), state_output='terse')
case('real-run-changes-verbose-false', real(''), state_output='changes', state_verbose=False)
case('real-run-test-mode', real('-test'))
case('real-run-test-mode-color', real('-test'), color=True)
case('real-run-broken', real('-broken'))


def main():
    base = salt.config.minion_config(None)
    os.makedirs(os.path.join(OUT, 'highstate'), exist_ok=True)
    for c in CASES:
        opts = copy.deepcopy(base)
        opts['color'] = c['color']
        opts.update(c['opts'])
        # The outputter changes the data it is given (durations become "N ms"): give it its own copy.
        text = salt.output.out_format(copy.deepcopy(c['data']), 'highstate', opts)
        with open(os.path.join(OUT, 'highstate', c['name'] + '.txt'), 'w', encoding='utf-8', newline='') as fh:
            fh.write(text if text is not None else '')
    with open(os.path.join(OUT, 'highstate-cases.json'), 'w', encoding='utf-8') as fh:
        json.dump(CASES, fh, indent=1, ensure_ascii=False)
        fh.write('\n')
    print(f'{len(CASES)} cases written to {OUT}', file=sys.stderr)


main()
