import type { MasterConfig } from '@tsalt/config';
import { definePlugin } from '@tsalt/loader';
import type { RunnerContext as PluginContext, RunnerServices } from '../context.js';
import { keyOpsFrom } from '@tsalt/wheel';
import { localClient, seconds } from '../local-client-service.js';

/*
 * manage.*: which minions are up, by pinging them (salt/runners/manage.py).
 * "down" means targeted accepted keys that did not answer test.ping, after
 * Salt's full wait (timeout, then saltutil.find_job for gather_job_timeout).
 */

interface PingArgs {
  tgt: unknown;
  tgt_type: unknown;
  timeout: unknown;
  gather_job_timeout: unknown;
}

/** Salt's `_ping`: [returned, not returned], both sorted; nothing matched gives two empty lists. */
async function ping(ctx: PluginContext, args: Record<string, unknown>): Promise<{ up: string[]; down: string[] }> {
  const a: PingArgs = {
    tgt: args['tgt'],
    tgt_type: args['tgt_type'],
    timeout: args['timeout'],
    gather_job_timeout: args['gather_job_timeout'],
  };
  const local = localClient(ctx);
  // The local client takes s; the config's defaults are compiled to ms.
  const timeout = seconds(a.timeout, ctx.opts.timeout_ms / 1000);
  const gatherJobTimeout = seconds(a.gather_job_timeout, ctx.opts.gather_job_timeout_ms / 1000);
  const tgt = a.tgt === null || a.tgt === undefined ? '*' : (a.tgt as string | string[]);
  const tgtType = typeof a.tgt_type === 'string' && a.tgt_type ? a.tgt_type : 'glob';
  const pub = await local.publish(tgt, 'test.ping', [], { tgt_type: tgtType });
  if (!pub.jid) return { up: [], down: [] };
  ctx.log.debug({ minions: pub.minions }, 'manage runner will ping these minions');
  const returned = new Set<string>();
  for await (const r of local.getCliReturns(pub.jid, pub.minions, { timeout, gatherJobTimeout })) {
    if (r.kind === 'return') returned.add(r.id);
  }
  return { up: [...returned].sort(), down: pub.minions.filter((m) => !returned.has(m)).sort() };
}

const PING_PARAMS = [
  { name: 'tgt', default: '*' },
  { name: 'tgt_type', default: 'glob' },
  { name: 'timeout', default: null },
  { name: 'gather_job_timeout', default: null },
];

export default definePlugin<MasterConfig, RunnerServices>({
  name: 'manage',
  doc: 'General management functions: which minions are up, and which are down.',
  functions: {
    status: {
      doc: `Print the status of all known minions: {up: [...], down: [...]}, by pinging them.

timeout and gather_job_timeout (s) default to the master config.

CLI Example:

    tsalt-run manage.status
    tsalt-run manage.status tgt="webservers" tgt_type="nodegroup"
    tsalt-run manage.status timeout=5 gather_job_timeout=10`,
      params: [{ name: 'output', default: true }, ...PING_PARAMS],
      fn: (ctx, a) => ping(ctx, a),
    },
    up: {
      doc: `Print a list of all of the minions that are up.

CLI Example:

    tsalt-run manage.up
    tsalt-run manage.up tgt="webservers" tgt_type="nodegroup"
    tsalt-run manage.up timeout=5 gather_job_timeout=10`,
      params: PING_PARAMS,
      fn: async (ctx, a) => (await ping(ctx, a)).up,
    },
    down: {
      doc: `Print a list of all the down or unresponsive minions.
With removekeys=True, also delete the keys of the down minions.

CLI Example:

    tsalt-run manage.down
    tsalt-run manage.down removekeys=True
    tsalt-run manage.down tgt="webservers" tgt_type="nodegroup"`,
      params: [{ name: 'removekeys', default: false }, ...PING_PARAMS],
      async fn(ctx, a) {
        const { down } = await ping(ctx, a);
        if (a['removekeys'] && down.length) {
          // The same code as `tsalt-key -d`: every state, salt/key events, AES rotation.
          const ops = keyOpsFrom(ctx);
          await ops.apply('delete', ops.nameMatch(down));
        }
        return down;
      },
    },
  },
});
