import { MinionDataCache } from '@tsalt/cache';
import type { MasterConfig } from '@tsalt/config';
import { KeyStore } from '@tsalt/crypto';
import { checkMinions } from '@tsalt/targeting';

/**
 * Salt's `_preview_target`: the minions a target matches on the master
 * (accepted keys, and the minion data cache for grain and pillar targets),
 * found without publishing. `--batch-safe-limit` counts them.
 */
export function previewTarget(
  opts: MasterConfig,
  tgt: string | string[],
  tgtType: string,
  nodegroups: Record<string, string | string[]>,
  delimiter: string,
): string[] {
  const keys = new KeyStore(opts.pki_dir, opts.hash_type);
  // Read once, not watched: the count is taken now and the CLI goes on.
  const cache = new MinionDataCache({ cachedir: opts.cachedir, enabled: opts.minion_data_cache });
  const { minions } = checkMinions(tgt, tgtType, keys.ids('accepted'), {
    delimiter,
    nodegroups,
    data: (id) => {
      const d = cache.get(id);
      return d ? { id, ...d } : undefined;
    },
  });
  return minions;
}
