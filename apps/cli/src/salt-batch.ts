import { pyRepr } from '@tsalt/core';
import { invalidBatchText, parseBatchSize, type LocalClient } from '@tsalt/client';
import type { HighstateOptions } from '@tsalt/output';
import { BatchProgress, type BatchCounts, type ProgressStream } from './batch-progress.js';
import { EXIT, printOut, type OutFlags } from './common.js';

/*
 * `tsalt -b`: Salt's batch mode as its CLI shows it (salt/cli/batch.py and
 * SaltCMD._run_batch). The target is pinged first; those that answer get the
 * job a few at a time, each group announced with `Executing run on [...]`,
 * each return printed as it comes with the jid and retcode beside it, as
 * Salt prints them. The exit code is the highest retcode seen.
 */

export interface BatchCliParams {
  client: LocalClient;
  tgt: string | string[];
  tgtType: string;
  fun: string;
  arg: unknown[];
  /** The `-b` value as given: `3`, `10%`. */
  spec: string;
  /** s, `--batch-wait` */
  waitS: number;
  failhard: boolean;
  /** s, for the ping and for each group's job */
  timeoutS: number;
  ret: string;
  kwargs: Record<string, unknown>;
  f: OutFlags & { static?: boolean };
  hs: HighstateOptions;
  /** @default process.stderr */
  progressTo?: ProgressStream;
}

const NO_MATCH =
  'No minions matched the target. No command was sent, no jid was assigned.\nNo minions matched the target.\n';

export async function runBatchCli(b: BatchCliParams): Promise<number> {
  const out = (text: string): void => void process.stdout.write(text);
  // The form is checked before the ping (Salt pings first, then complains): a typo costs no wait.
  if (parseBatchSize(b.spec, 100) === undefined) {
    out(invalidBatchText(b.spec) + '\n');
    return EXIT.GENERIC;
  }
  // Salt's ping carries none of the job's returner settings; the delimiter is kept so grain targets match alike.
  const pingKwargs = b.kwargs['delimiter'] !== undefined ? { delimiter: b.kwargs['delimiter'] } : {};
  const ping = await b.client.pingTarget(b.tgt, { tgt_type: b.tgtType, timeout: b.timeoutS, kwargs: pingKwargs });
  if (!ping.matched) {
    out(NO_MATCH);
    return EXIT.OK;
  }
  // Salt's batch has nothing to run and says nothing when no minion answered the ping.
  if (ping.up.length === 0) return EXIT.OK;
  const size = parseBatchSize(b.spec, ping.up.length);
  if (size === undefined) {
    out(invalidBatchText(b.spec) + '\n');
    return EXIT.GENERIC;
  }
  const quiet = b.f.static === true;
  if (!quiet) for (const m of ping.down) out(`Minion ${m} did not respond. No job will be sent.\n`);

  const progress = new BatchProgress(b.progressTo ?? process.stderr);
  const counts: BatchCounts = { total: ping.up.length, done: 0, running: 0, left: ping.up.length, failed: 0 };
  const outName = (data: Record<string, unknown>): string =>
    b.f.out ?? (typeof data['out'] === 'string' ? data['out'] : 'nested');
  const collected: Record<string, unknown> = {};
  let exit = 0;
  try {
    const run = b.client.cmdBatch(ping.up, b.fun, b.arg, {
      size,
      waitS: b.waitS,
      failhard: b.failhard,
      ret: b.ret,
      kwargs: b.kwargs,
      timeout: b.timeoutS,
    });
    for await (const ev of run) {
      progress.clear();
      switch (ev.kind) {
        case 'start':
          counts.running += ev.minions.length;
          counts.left -= ev.minions.length;
          if (!quiet) out(`\nExecuting run on ${pyRepr([...ev.minions].sort())}\n\n`);
          break;
        case 'return': {
          counts.running--;
          counts.done++;
          if (ev.retcode > 0) counts.failed++;
          exit = Math.max(exit, ev.retcode);
          const ret = ev.data['return'];
          if (quiet) collected[ev.id] = ret;
          // Salt's batch prints the return with its retcode and jid beside the minion's id.
          else printOut({ retcode: ev.retcode, jid: ev.jid, [ev.id]: ret }, outName(ev.data), b.f, ev.retcode, b.hs);
          break;
        }
        case 'missing':
          counts.running--;
          counts.done++;
          counts.failed++;
          // Salt's batch shows a minion that got the job but never returned with an empty return.
          if (quiet) collected[ev.id] = {};
          else printOut({ [ev.id]: {} }, b.f.out ?? 'nested', b.f);
          break;
        case 'failhard':
          process.stderr.write(
            `[ERROR   ] Minion ${ev.id} returned with non-zero exit code. Batch run stopped due to failhard\n`,
          );
          break;
      }
      if (ev.kind !== 'failhard') progress.show(counts);
    }
  } finally {
    progress.clear();
  }
  if (quiet) {
    printOut(collected, b.f.out ?? 'nested', b.f, 0, b.hs);
    // Salt's --static batch exits 0 whatever the minions returned.
    return EXIT.OK;
  }
  return exit;
}
