import os from 'node:os';
import type { MinionConfig } from '@tsalt/config';
import { definePlugin } from '@tsalt/loader';
import { errorLine, fnmatch, pyStr } from '@tsalt/core';
import {
  cachedJobDir,
  findRunningJob,
  isJid,
  readCachedJob,
  removeProcFile,
  runningJobs,
  signalNumber,
  signalProcessTree,
} from '@tsalt/job';
import { killJobProcesses } from '../run-process.js';
import { syncFunctions } from '../saltutil-sync.js';
import { masterFunctions } from '../saltutil-master.js';
import type { ModuleContext as PluginContext, ModuleServices } from '../context.js';

/*
 * Salt's saltutil job functions, reading the proc files the minion writes
 * (`<cachedir>/proc/<jid>`). They run wherever the minion runs them (a job
 * process of their own, or the daemon); the daemon's JobControl service,
 * when present, is told before any signal so a killed job sends no return.
 */

const SIGKILL = os.constants.signals.SIGKILL;
const SIGTERM = os.constants.signals.SIGTERM;

/** A bad argument: one clear line as the return, retcode 1. */
class BadInput extends Error {}

function cachedir(ctx: PluginContext): string {
  const dir = ctx.opts.cachedir;
  if (typeof dir !== 'string' || dir === '') throw new BadInput('The minion has no cachedir configured');
  return dir;
}

function jidArg(v: unknown): string {
  if (!isJid(v)) throw new BadInput(`Invalid jid: ${JSON.stringify(v) ?? String(v)}`);
  return v as string;
}

/** Runs a function body; a BadInput becomes its message with retcode 1. */
async function guarded(ctx: PluginContext, body: () => unknown): Promise<unknown> {
  try {
    return await body();
  } catch (err) {
    if (!(err instanceof BadInput)) throw err;
    ctx.context['retcode'] = 1;
    return err.message;
  }
}

/** Jobs with a process (proc files), but the one asking (Salt skips its own process): what can be signalled. */
function processJobs(ctx: PluginContext): Record<string, unknown>[] {
  return runningJobs(cachedir(ctx)).filter((d) => ctx.jid === undefined || d['jid'] !== ctx.jid);
}

/** Finished jobs whose return is still on its way to the master (the daemon knows them; JobControl). */
function returningJobs(ctx: PluginContext): Record<string, unknown>[] {
  const control = ctx.services.jobControl;
  return control?.returning?.() ?? [];
}

/** Salt's `running()`: the jobs with a process, then those still sending their return (Salt's job process lives until then). */
function running(ctx: PluginContext): Record<string, unknown>[] {
  const out = processJobs(ctx);
  const seen = new Set(out.map((d) => d['jid']));
  for (const d of returningJobs(ctx)) if (!seen.has(d['jid'])) out.push(d);
  return out;
}

function notRunning(jid: string): string {
  return `Job ${jid} is not running on this minion`;
}

function signalName(sig: number): NodeJS.Signals | undefined {
  const entry = Object.entries(os.constants.signals).find(([, n]) => n === sig);
  return entry?.[0] as NodeJS.Signals | undefined;
}

/**
 * Salt's `signal_job`: signals the job process and everything it started.
 * Unlike Salt (which returns '' for a job it cannot find) a jid that is not
 * running gets a one-line message naming it.
 */
async function signalJob(ctx: PluginContext, jid: string, sig: number): Promise<string> {
  const dir = cachedir(ctx);
  const data = jid === ctx.jid ? undefined : findRunningJob(dir, jid);
  const pid = data?.['pid'];
  if (typeof pid !== 'number') return notRunning(jid);
  const control = ctx.services.jobControl;
  if (pid === process.pid) {
    // multiprocessing: False runs jobs in the daemon: signal what the job started, never ourselves.
    const name = signalName(sig);
    const hit = name ? killJobProcesses(jid, name) : [];
    if (hit.length === 0)
      return `Job ${jid} runs inside the minion process (multiprocessing: False) and has no command to signal`;
    return `Signal ${sig} sent to the commands of job ${jid} (pid ${hit.join(', ')}); the job runs inside the minion process`;
  }
  if (pid === control?.daemonPid)
    throw new BadInput(`Job ${jid} runs inside the minion process (pid ${pid}); refusing to signal it`);
  if (control?.willSignal && !(await control.willSignal(jid, pid, sig))) return notRunning(jid);
  try {
    signalProcessTree(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') {
      removeProcFile(dir, jid);
      return `Job ${jid} was not running and job data has been cleaned up`;
    }
    throw new BadInput(`Could not signal job ${jid} at pid ${pid}: ${errorLine(err)}`);
  }
  ctx.log.info({ jid, pid, signal: sig }, 'signalled a job');
  return `Signal ${sig} sent to job ${jid} at pid ${pid}`;
}

async function signalAll(ctx: PluginContext, sig: number): Promise<string[]> {
  const out: string[] = [];
  for (const d of processJobs(ctx)) if (isJid(d['jid'])) out.push(await signalJob(ctx, d['jid'] as string, sig));
  return out;
}

/** Salt's `saltutil` module: the job functions (running, find_job, signal_job, kill_job...). */
export default definePlugin<MinionConfig, ModuleServices>({
  name: 'saltutil',
  doc: 'The Saltutil module is used to manage the state of the salt minion itself: here, its running and cached jobs, and the sync functions (nothing to sync until custom modules exist).',
  functions: {
    refresh_grains: {
      doc: "Refresh the minion's grains without syncing custom grains modules from\n``salt://_grains``.\n\nrefresh_pillar : True\n    Set to ``False`` to keep pillar data from being refreshed.\n\nCLI Examples:\n\n    salt '*' saltutil.refresh_grains",
      varkw: true,
      fn: async (ctx, a) => {
        const kw = (a['__kwargs__'] ?? {}) as Record<string, unknown>;
        const data = ctx.services.minionData;
        if (!data) return true; // tsalt-call --local: grains are computed per call
        await data.refreshGrains(kw['refresh_pillar'] !== false);
        return true;
      },
    },
    refresh_pillar: {
      doc: "Signal the minion to refresh the in-memory pillar data.\n\nThe minion asks the master for its pillar (sending its grains) and waits\nfor the answer; False when the master did not answer (the minion keeps its\nlast pillar).\n\nCLI Example:\n\n    salt '*' saltutil.refresh_pillar",
      params: [
        { name: 'wait', default: false },
        { name: 'timeout', default: 30 },
        { name: 'clean_cache', default: true },
      ],
      fn: async (ctx) => {
        const data = ctx.services.minionData;
        if (!data) return false;
        return data.refreshPillar();
      },
    },
    running: {
      doc: "Return the data on all running salt processes on the minion\n\nCLI Example:\n\n    salt '*' saltutil.running",
      fn: (ctx) => guarded(ctx, () => running(ctx)),
    },
    find_job: {
      doc: "Return the data for a specific job id that is currently running.\n\njid\n    The job id to search for and return data.\n\nIf the job has already completed, the job cannot be found and the function\nreturns an empty dictionary.\n\nCLI Example:\n\n    salt '*' saltutil.find_job <job id>",
      params: ['jid'],
      fn: (ctx, a) =>
        guarded(ctx, () => {
          const jid = jidArg(a['jid']);
          if (jid === ctx.jid) return {};
          return findRunningJob(cachedir(ctx), jid) ?? returningJobs(ctx).find((d) => d['jid'] === jid) ?? {};
        }),
    },
    is_running: {
      doc: "If the named function is running return the data associated with it/them.\nThe argument can be a glob\n\nCLI Example:\n\n    salt '*' saltutil.is_running state.highstate",
      params: ['fun'],
      fn: (ctx, a) => guarded(ctx, () => running(ctx).filter((d) => fnmatch(pyStr(d['fun'] ?? ''), pyStr(a['fun'])))),
    },
    signal_job: {
      doc: "Sends a signal to the named salt job's process, and to every process it\nstarted. The signal is a number or a name (15, TERM, SIGTERM).\n\nCLI Example:\n\n    salt '*' saltutil.signal_job <job id> 15",
      params: ['jid', 'sig'],
      fn: (ctx, a) =>
        guarded(ctx, () => {
          const jid = jidArg(a['jid']);
          const sig = signalNumber(a['sig']);
          if (sig === undefined) throw new BadInput(`Invalid signal: ${JSON.stringify(a['sig']) ?? String(a['sig'])}`);
          return signalJob(ctx, jid, sig);
        }),
    },
    term_job: {
      doc: "Sends a termination signal (SIGTERM 15) to the named salt job's process\n\nCLI Example:\n\n    salt '*' saltutil.term_job <job id>",
      params: ['jid'],
      fn: (ctx, a) => guarded(ctx, () => signalJob(ctx, jidArg(a['jid']), SIGTERM)),
    },
    kill_job: {
      doc: "Sends a kill signal (SIGKILL 9) to the named salt job's process\n\nCLI Example:\n\n    salt '*' saltutil.kill_job <job id>",
      params: ['jid'],
      fn: (ctx, a) => guarded(ctx, () => signalJob(ctx, jidArg(a['jid']), SIGKILL)),
    },
    term_all_jobs: {
      doc: "Sends a termination signal (SIGTERM 15) to all currently running jobs\n\nCLI Example:\n\n    salt '*' saltutil.term_all_jobs",
      fn: (ctx) => guarded(ctx, () => signalAll(ctx, SIGTERM)),
    },
    kill_all_jobs: {
      doc: "Sends a kill signal (SIGKILL 9) to all currently running jobs\n\nCLI Example:\n\n    salt '*' saltutil.kill_all_jobs",
      fn: (ctx) => guarded(ctx, () => signalAll(ctx, SIGKILL)),
    },
    find_cached_job: {
      doc: "Return the data for a specific cached job id. Note this only works if\ncache_jobs has previously been set to True on the minion.\n\nCLI Example:\n\n    salt '*' saltutil.find_cached_job <job id>",
      params: ['jid'],
      fn: (ctx, a) =>
        guarded(ctx, () => {
          const jid = jidArg(a['jid']);
          const dir = cachedir(ctx);
          const data = readCachedJob(dir, jid);
          if (data !== undefined) return data;
          if (ctx.opts.cache_jobs !== true)
            return 'Local jobs cache directory not found; you may need to enable cache_jobs on this minion';
          return `Local jobs cache directory ${cachedJobDir(dir, jid)} not found`;
        }),
    },
    ...syncFunctions,
    ...masterFunctions,
  },
});
