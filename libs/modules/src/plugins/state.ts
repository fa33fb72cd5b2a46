import type { MinionConfig } from '@tsalt/config';
import { definePlugin, type BoundArgs } from '@tsalt/loader';
import type { ModuleContext, ModuleServices } from '../context.js';
import {
  highstate,
  kw,
  runningStates,
  showHighstate,
  showLowSls,
  showSls,
  showTop,
  single,
  sls,
  slsExists,
  slsId,
} from '../state/state-calls.js';

/*
 * Salt's `state` execution module: compiles this minion's states
 * (@tsalt/states) from the file server and runs them. Runs print with the
 * `highstate` outputter; a failed state sets the job's retcode to 2, a
 * compile error to 1, a pillar error to 5 (Salt's exit codes).
 */

const RUN_OPTS =
  'test\n    Run states in test-only (dry-run) mode: nothing changes, pending changes have result None\n\npillar\n    Custom pillar values, a dict merged over the compiled pillar for this run\n\nsaltenv\n    The file server environment to read SLS files from\n\nqueue: False\n    True waits for state runs already going instead of refusing to start\n\nconcurrent: False\n    True runs even while another state run is going (not recommended)';

const apply = (ctx: ModuleContext, a: BoundArgs): Promise<unknown> =>
  a['mods'] === null || a['mods'] === undefined || a['mods'] === '' ? highstate(ctx, a) : sls(ctx, a);

export default definePlugin<MinionConfig, ModuleServices>({
  name: 'state',
  doc: 'Control the state system on the minion',
  functions: {
    apply: {
      doc: `Apply states: the highstate (every SLS the top file gives this minion) without arguments, or the named SLS files\n\n${RUN_OPTS}\n\nexclude\n    SLS names or ids to leave out\n\nCLI Example:\n\n    salt '*' state.apply\n    salt '*' state.apply web,db test=True`,
      params: [{ name: 'mods', default: null }],
      varkw: true,
      outputter: 'highstate',
      fn: apply,
    },
    test: {
      doc: "state.apply with test=True forced: report what would change, change nothing\n\nCLI Example:\n\n    salt '*' state.test\n    salt '*' state.test web",
      params: [{ name: 'mods', default: null }],
      varkw: true,
      outputter: 'highstate',
      fn: (ctx, a) => apply(ctx, { ...a, test: true, __kwargs__: { ...kw(a), test: true } }),
    },
    highstate: {
      doc: `Run the highstate: every SLS the top file gives this minion\n\n${RUN_OPTS}\n\nCLI Example:\n\n    salt '*' state.highstate\n    salt '*' state.highstate test=True`,
      params: [
        { name: 'test', default: null },
        { name: 'queue', default: false },
      ],
      varkw: true,
      outputter: 'highstate',
      fn: (ctx, a) => highstate(ctx, a),
    },
    sls: {
      doc: `Run the states of one or more SLS files (comma-separated or a list)\n\n${RUN_OPTS}\n\nexclude\n    SLS names or ids to leave out\n\nCLI Example:\n\n    salt '*' state.sls core,edit.vim test=True`,
      params: [
        'mods',
        { name: 'test', default: null },
        { name: 'exclude', default: null },
        { name: 'queue', default: false },
      ],
      varkw: true,
      outputter: 'highstate',
      fn: sls,
    },
    sls_id: {
      doc: `Run one id of the named SLS files\n\n${RUN_OPTS}\n\nCLI Example:\n\n    salt '*' state.sls_id my_state my_module`,
      params: ['id_', 'mods', { name: 'test', default: null }, { name: 'queue', default: false }],
      varkw: true,
      outputter: 'highstate',
      fn: slsId,
    },
    single: {
      doc: `Run one state function with the named kwargs\n\n${RUN_OPTS}\n\nCLI Example:\n\n    salt '*' state.single pkg.installed name=vim`,
      params: ['fun', 'name', { name: 'test', default: null }, { name: 'queue', default: false }],
      varkw: true,
      outputter: 'highstate',
      fn: single,
    },
    top: {
      doc: `Run the highstate of another top file\n\n${RUN_OPTS}\n\nCLI Example:\n\n    salt '*' state.top reverse_top.sls\n    salt '*' state.top prod_top.sls saltenv=prod`,
      params: ['topfn', { name: 'test', default: null }, { name: 'queue', default: false }],
      varkw: true,
      outputter: 'highstate',
      fn: (ctx, a) => highstate(ctx, a, String(a['topfn'])),
    },
    show_top: {
      doc: "The SLS names the top file gives this minion, per environment\n\nCLI Example:\n\n    salt '*' state.show_top",
      varkw: true,
      fn: showTop,
    },
    show_sls: {
      doc: "The named SLS files as rendered states (includes and extend applied)\n\nCLI Example:\n\n    salt '*' state.show_sls core,edit.vim saltenv=dev",
      params: ['mods', { name: 'test', default: null }],
      varkw: true,
      fn: showSls,
    },
    show_low_sls: {
      doc: "The low data (one entry per state call) of the named SLS files\n\nCLI Example:\n\n    salt '*' state.show_low_sls foo saltenv=dev",
      params: ['mods', { name: 'test', default: null }],
      varkw: true,
      fn: showLowSls,
    },
    show_highstate: {
      doc: "The highstate data this minion would run\n\nCLI Example:\n\n    salt '*' state.show_highstate",
      varkw: true,
      fn: (ctx, a) => showHighstate(ctx, a, false),
    },
    show_lowstate: {
      doc: "The low data this minion's highstate would run, in order\n\nCLI Example:\n\n    salt '*' state.show_lowstate",
      varkw: true,
      fn: (ctx, a) => showHighstate(ctx, a, true),
    },
    sls_exists: {
      doc: "True when every named SLS exists and renders\n\nCLI Example:\n\n    salt '*' state.sls_exists core,edit.vim",
      params: ['mods'],
      varkw: true,
      fn: slsExists,
    },
    running: {
      doc: "One line for each state run going on this minion (a state run refuses to start while one is)\n\nCLI Example:\n\n    salt '*' state.running",
      params: [{ name: 'concurrent', default: false }],
      fn: (ctx, a) => runningStates(ctx, a['concurrent'] === true),
    },
  },
});
