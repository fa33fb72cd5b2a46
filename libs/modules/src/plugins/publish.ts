import type { MinionConfig } from '@tsalt/config';
import { pyStr } from '@tsalt/core';
import { definePlugin, type BoundArgs } from '@tsalt/loader';
import type { ModuleContext as PluginContext, ModuleServices } from '../context.js';
import { masterLink, parsePublishArg, peerPublish, peerRun, PeerTimeout } from '../peer-client.js';

/*
 * Salt's `publish` execution module (salt/modules/publish.py): a minion
 * publishes a job to other minions through its master, which allows it
 * only under its `peer` ACL (and runners under `peer_run`). See docs/peer.md.
 */

/** Salt's `timeout` (s), a number or a CLI string; 5 when absent or not a number. */
function seconds(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : 5;
}

async function publishCall(ctx: PluginContext, a: BoundArgs, form: 'clean' | 'full'): Promise<unknown> {
  const fun = pyStr(a['fun'] ?? '');
  const svc = masterLink(ctx);
  if (!svc) {
    ctx.log.error('Cannot run publish commands without a connection to a salt master. No command sent.');
    return {};
  }
  if (fun.startsWith('publish.')) {
    ctx.log.info('Cannot publish publish calls. Returning {}');
    return {};
  }
  const viaMaster = a['via_master'];
  if (viaMaster !== null && viaMaster !== undefined && viaMaster !== '' && viaMaster !== ctx.opts.master) {
    ctx.context['retcode'] = 1;
    return `Could not find match for ${pyStr(viaMaster)} in list of configured masters ${JSON.stringify([ctx.opts.master])} when using \`via_master\` option`;
  }
  ctx.log.info(`Publishing '${fun}' to ${String(ctx.opts.master)}`);
  try {
    return await peerPublish(ctx, svc, {
      tgt: a['tgt'],
      fun,
      arg: parsePublishArg(a['arg']),
      tgtType: typeof a['tgt_type'] === 'string' && a['tgt_type'] ? a['tgt_type'] : 'glob',
      returner: typeof a['returner'] === 'string' ? a['returner'] : '',
      timeout: seconds(a['timeout']),
      form,
    });
  } catch (err) {
    if (err instanceof PeerTimeout) return `'${fun}' publish timed out`;
    throw err;
  }
}

const TGT_DOC =
  'The ``tgt_type`` argument is used to pass a target other than a glob into\nthe execution, the available options are:\n\n- glob\n- pcre\n- grain\n- grain_pcre\n- pillar\n- pillar_pcre\n- ipcidr\n- range\n- compound\n\nNote that for pillar matches must be exact, both in the pillar matcher\nand the compound matcher. No globbing is supported.';

export default definePlugin<MinionConfig, ModuleServices>({
  name: 'publish',
  doc: 'Publish a command from a minion to a target',
  functions: {
    publish: {
      doc: `Publish a command from the minion out to other minions.\n\nPublications need to be enabled on the Salt master and the minion\nneeds to have permission to publish the command. The Salt master\nwill also prevent a recursive publication loop, this means that a\nminion cannot command another minion to command another minion as\nthat would create an infinite command loop.\n\n${TGT_DOC}\n\nCLI Example:\n\n    salt system.example.com publish.publish '*' cmd.run 'ls -la /tmp'`,
      params: [
        'tgt',
        'fun',
        { name: 'arg', default: null },
        { name: 'tgt_type', default: 'glob' },
        { name: 'returner', default: '' },
        { name: 'timeout', default: 5 },
        { name: 'via_master', default: null },
      ],
      fn: (ctx, a) => publishCall(ctx, a, 'clean'),
    },
    full_data: {
      doc: "Return the full data about the publication, this is invoked in the same\nway as the publish function\n\nCLI Example:\n\n    salt system.example.com publish.full_data '*' cmd.run 'ls -la /tmp'",
      params: [
        'tgt',
        'fun',
        { name: 'arg', default: null },
        { name: 'tgt_type', default: 'glob' },
        { name: 'returner', default: '' },
        { name: 'timeout', default: 5 },
      ],
      fn: (ctx, a) => publishCall(ctx, a, 'full'),
    },
    runner: {
      doc: 'Execute a runner on the master and return the data from the runner\nfunction\n\nCLI Example:\n\n    salt publish.runner manage.down',
      params: ['fun', { name: 'arg', default: null }, { name: 'timeout', default: 5 }],
      fn: async (ctx, a) => {
        const fun = pyStr(a['fun'] ?? '');
        const svc = masterLink(ctx);
        if (!svc) return 'No access to master. If using salt-call with --local, please remove.';
        ctx.log.info(`Publishing runner '${fun}' to ${String(ctx.opts.master)}`);
        try {
          return await peerRun(svc, 'minion_runner', fun, parsePublishArg(a['arg']), seconds(a['timeout']));
        } catch (err) {
          if (err instanceof PeerTimeout) return `'${fun}' runner publish timed out`;
          throw err;
        }
      },
    },
  },
});
