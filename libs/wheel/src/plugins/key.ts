import type { MasterConfig } from '@tsalt/config';
import { definePlugin, type BoundArgs } from '@tsalt/loader';
import { generateKeyPair } from '@tsalt/crypto';
import {
  checkMatchDict,
  keyOpsFrom,
  splitMatch,
  type KeyActionFlags,
  type KeyMatch,
  type WheelContext as PluginContext,
  type WheelServices,
} from '../key-ops.js';
import { WheelError } from '../errors.js';

/*
 * Salt's wheel.key (salt/wheel/key.py): the same key actions as tsalt-key,
 * for the reactor (`wheel.key.accept` with `match`) and other master-side
 * callers. Each action fires `salt/key` {result, act, id} per key.
 */

/** Python truthiness for a flag that arrived from YAML or the CLI. */
function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

function match(args: BoundArgs): KeyMatch {
  const m = args['match'];
  splitMatch(m as KeyMatch);
  return m as KeyMatch;
}

function flags(args: BoundArgs): KeyActionFlags {
  return {
    includeRejected: truthy(args['include_rejected']),
    includeAccepted: truthy(args['include_accepted']),
    includeDenied: truthy(args['include_denied']),
  };
}

/** accept/reject/delete by glob: act on what matches now, return where those keys are afterwards. */
async function byGlob(ctx: PluginContext, args: BoundArgs, action: 'accept' | 'reject' | 'delete'): Promise<unknown> {
  const ops = keyOpsFrom(ctx);
  const m = match(args);
  const f = flags(args);
  await ops.apply(action, ops.nameMatch(m, ops.sourceStates(action, f)), f);
  return ops.nameMatch(m);
}

async function byDict(ctx: PluginContext, args: BoundArgs, action: 'accept' | 'reject' | 'delete'): Promise<unknown> {
  const ops = keyOpsFrom(ctx);
  const m = checkMatchDict(args['match']);
  await ops.apply(action, m, flags(args));
  return ops.dictMatch(m);
}

const MATCH_DOC = '``match`` is a glob, a comma-separated list of globs, or a list of globs.';

export default definePlugin<MasterConfig, WheelServices>({
  name: 'key',
  doc: 'Wheel system wrapper for the key system: tsalt-key, callable from the master (the reactor).',
  functions: {
    list: {
      doc: "List the keys under a named status: ``acc``, ``pre``/``un``, ``rej``, ``den`` or ``all``.\n\n    wheel.key.list accepted  ->  {'minions': ['minion1', 'minion2']}",
      params: ['match'],
      fn: (ctx, args) => keyOpsFrom(ctx).listStatus(String(args['match'])),
    },
    list_all: {
      doc: 'List all the keys: ``local``, ``minions``, ``minions_pre``, ``minions_rejected``, ``minions_denied``.',
      fn: (ctx) => keyOpsFrom(ctx).listAll(),
    },
    accept: {
      doc: `Accept the matching pending keys (and rejected or denied ones when asked). ${MATCH_DOC}\n\n    wheel.key.accept match='web*'  ->  {'minions': ['web1']}`,
      params: ['match', { name: 'include_rejected', default: false }, { name: 'include_denied', default: false }],
      fn: (ctx, args) => byGlob(ctx, args, 'accept'),
    },
    accept_dict: {
      doc: "Accept the keys named in a ``{status: [ids]}`` map, e.g. ``{'minions_pre': ['jerry', 'stuart']}``.",
      params: ['match', { name: 'include_rejected', default: false }, { name: 'include_denied', default: false }],
      fn: (ctx, args) => byDict(ctx, args, 'accept'),
    },
    reject: {
      doc: `Reject the matching pending keys (and accepted or denied ones when asked); the master rotates its AES key. ${MATCH_DOC}`,
      params: ['match', { name: 'include_accepted', default: false }, { name: 'include_denied', default: false }],
      fn: (ctx, args) => byGlob(ctx, args, 'reject'),
    },
    reject_dict: {
      doc: 'Reject the keys named in a ``{status: [ids]}`` map.',
      params: ['match', { name: 'include_accepted', default: false }, { name: 'include_denied', default: false }],
      fn: (ctx, args) => byDict(ctx, args, 'reject'),
    },
    delete: {
      doc: `Delete the matching keys in every status; the master rotates its AES key. ${MATCH_DOC}`,
      params: ['match'],
      fn: (ctx, args) => byGlob(ctx, args, 'delete'),
    },
    delete_dict: {
      doc: 'Delete the keys named in a ``{status: [ids]}`` map.',
      params: ['match'],
      fn: (ctx, args) => byDict(ctx, args, 'delete'),
    },
    key_str: {
      doc: `Return the matching public keys: \`\`{status: {id: pem}}\`\`. ${MATCH_DOC}`,
      params: ['match'],
      fn: (ctx, args) => keyOpsFrom(ctx).keyStr(match(args)),
    },
    print: {
      doc: 'tsalt: the same as ``key_str``, named after ``tsalt-key -p``.',
      params: ['match'],
      fn: (ctx, args) => keyOpsFrom(ctx).keyStr(match(args)),
    },
    finger: {
      doc: `Return the fingerprints of the matching keys, the master's own under \`\`local\`\`. ${MATCH_DOC}`,
      params: ['match', { name: 'hash_type', default: null }],
      fn: (ctx, args) => {
        const ht = args['hash_type'];
        return keyOpsFrom(ctx).finger(match(args), typeof ht === 'string' ? { hashType: ht } : {});
      },
    },
    finger_master: {
      doc: "Return the fingerprint of the master's public key: ``{'local': {'master.pub': fp}}``.",
      params: [{ name: 'hash_type', default: null }],
      fn: (ctx, args) => {
        const ht = args['hash_type'];
        return keyOpsFrom(ctx).finger('master.pub', {
          localNames: ['master.pub'],
          ...(typeof ht === 'string' ? { hashType: ht } : {}),
        });
      },
    },
    gen: {
      doc: 'Generate a key pair and return it as ``{priv, pub}`` (PEM); nothing is stored.',
      params: [
        { name: 'id_', default: null },
        { name: 'keysize', default: 2048 },
      ],
      fn: (_ctx, args) => gen(args['keysize']),
    },
    gen_accept: {
      doc: 'Generate a key pair and accept its public key as ``id_``; returns ``{priv, pub}``, or ``{}`` when the id is already accepted and ``force`` is false.',
      params: ['id_', { name: 'keysize', default: 2048 }, { name: 'force', default: false }],
      fn: (ctx, args) => {
        const id = args['id_'];
        if (typeof id !== 'string') throw new WheelError('BAD_KEY_ID', 'gen_accept needs a minion id (id_)');
        const ops = keyOpsFrom(ctx);
        if (ops.store.read('accepted', id) !== undefined && !truthy(args['force'])) return {};
        const pair = gen(args['keysize']);
        ops.store.write('accepted', id, pair.pub);
        return pair;
      },
    },
  },
});

function gen(keysize: unknown): { priv: string; pub: string } {
  const bits = Number(keysize ?? 2048);
  if (!Number.isInteger(bits) || bits < 2048)
    throw new WheelError('BAD_KEYSIZE', `keysize must be an integer of at least 2048, not ${String(keysize)}`);
  const pair = generateKeyPair(bits);
  return { priv: pair.privatePem, pub: pair.publicPem };
}
