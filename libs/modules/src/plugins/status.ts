import fs from 'node:fs/promises';
import os from 'node:os';
import { fnmatchRegExp, pyStr } from '@tsalt/core';
import type { MinionConfig } from '@tsalt/config';

import { definePlugin } from '@tsalt/loader';
import type { ModuleContext, ModuleServices } from '../context.js';
import { ModuleError } from '../errors.js';
import { hasBinary, readText, runTool, toolOutput } from '../host-run.js';
import {
  parseCpuinfo,
  parseCpustats,
  parseDiskstats,
  parseMeminfo,
  parseNetdev,
  parseNetstats,
  parsePs,
  parseVmstats,
  parseW,
  uptimeDict,
} from '../proc-parse.js';

/** A /proc file through a parser; Salt gives `{}` when the file cannot be read. */
async function fromProc<T>(file: string, parse: (text: string) => T): Promise<T | Record<string, never>> {
  const text = await readText(file);
  return text === null ? {} : parse(text);
}

/** The `ps` grain's command (Salt's Linux default: `ps -efHww`), run through /bin/sh as Salt does. */
async function psOutput(ctx: ModuleContext): Promise<string> {
  const cmd = typeof ctx.grains['ps'] === 'string' ? ctx.grains['ps'] : 'ps -efHww';
  return (await runTool(['/bin/sh', '-c', cmd])).stdout;
}

async function uptime(): Promise<Record<string, number | string>> {
  const text = await readText('/proc/uptime');
  if (text === null) throw new ModuleError('STATUS_FAILED', 'File /proc/uptime was not found.');
  const ret = uptimeDict(text, Date.now() / 1000);
  if (hasBinary('who')) {
    // Salt counts the lines of `who -s` after stripping: no one logged in still counts 1.
    ret['users'] = (await toolOutput(['who', '-s'])).trimEnd().split('\n').length;
  }
  return ret;
}

function loadavg(): Record<string, number> {
  const [one = 0, five = 0, fifteen = 0] = os.loadavg();
  return { '1-min': one, '5-min': five, '15-min': fifteen };
}

/** Salt's `diskusage`: bytes available and total per mount point (statvfs's f_bsize as the unit). */
async function diskusage(args: string[]): Promise<Record<string, { available: number; total: number }>> {
  const selected = new Set<string>();
  const fstypes = args.length === 0 ? ['*'] : args.filter((a) => !a.startsWith('/'));
  for (const a of args) if (a.startsWith('/')) selected.add(a);
  if (fstypes.length > 0) {
    const mounts = await readText('/proc/mounts');
    if (mounts === null) return {};
    const res = fstypes.map((t) => fnmatchRegExp(t));
    for (const line of mounts.split('\n')) {
      const c = line.split(/\s+/);
      if (c.length >= 3 && res.some((re) => re.test(c[2] ?? ''))) selected.add(c[1] ?? '');
    }
  }
  const ret: Record<string, { available: number; total: number }> = {};
  for (const p of selected) {
    let st: Awaited<ReturnType<typeof fs.statfs>>;
    try {
      st = await fs.statfs(p);
    } catch (err) {
      throw new ModuleError('STATUS_FAILED', `Cannot read the disk usage of ${p}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    ret[p] = { available: st.bavail * st.bsize, total: st.blocks * st.bsize };
  }
  return ret;
}

const ex = (call: string): string => `\n\nCLI Example:\n\n    salt '*' ${call}`;

/** Salt's `status` execution module, for Linux. */
export default definePlugin<MinionConfig, ModuleServices>({
  name: 'status',
  doc: 'Module for returning various status data about a minion. These data can be useful for compiling into stats later.',
  virtual: () => (process.platform === 'linux' ? true : 'The status execution module of tsalt only runs on Linux'),
  functions: {
    uptime: {
      doc: `Return the uptime for this system, as a dict: seconds, since_iso,
since_t, days, time (H:M) and users (when who exists).${ex('status.uptime')}`,
      fn: () => uptime(),
    },
    loadavg: {
      doc: `Return the load averages for this minion${ex('status.loadavg')}`,
      fn: () => loadavg(),
    },
    cpuinfo: {
      doc: `Return the CPU info for this minion${ex('status.cpuinfo')}`,
      fn: () => fromProc('/proc/cpuinfo', parseCpuinfo),
    },
    meminfo: {
      doc: `Return the memory info for this minion${ex('status.meminfo')}`,
      fn: () => fromProc('/proc/meminfo', parseMeminfo),
    },
    cpustats: {
      doc: `Return the CPU stats for this minion${ex('status.cpustats')}`,
      fn: () => fromProc('/proc/stat', parseCpustats),
    },
    diskstats: {
      doc: `Return the disk stats for this minion${ex('status.diskstats')}`,
      fn: () => fromProc('/proc/diskstats', parseDiskstats),
    },
    diskusage: {
      doc: `Return the disk usage for this minion

Usage::

    salt '*' status.diskusage [paths and/or filesystem types]${ex('status.diskusage         # usage for all filesystems')}
    salt '*' status.diskusage / /tmp  # usage for / and /tmp
    salt '*' status.diskusage ext?    # usage for ext[234] filesystems`,
      varargs: true,
      fn: (_ctx, a) => diskusage(((a['__args__'] ?? []) as unknown[]).map(String)),
    },
    netdev: {
      doc: `Return the network device stats for this minion${ex('status.netdev')}`,
      fn: () => fromProc('/proc/net/dev', parseNetdev),
    },
    netstats: {
      doc: `Return the network stats for this minion${ex('status.netstats')}`,
      fn: () => fromProc('/proc/net/netstat', parseNetstats),
    },
    vmstats: {
      doc: `Return the virtual memory stats for this minion${ex('status.vmstats')}`,
      fn: () => fromProc('/proc/vmstat', parseVmstats),
    },
    w: {
      doc: `Return a list of logged in users for this minion, using the w command${ex('status.w')}`,
      fn: async () => parseW(await toolOutput(['w', '-fh'])),
    },
    procs: {
      doc: `Return the process data${ex('status.procs')}`,
      fn: async (ctx) => parsePs(await psOutput(ctx)),
    },
    pid: {
      doc: `Return the PID or an empty string if the process is running or not.
Pass a signature to use to find the process via ps. Note you can pass
a regular expression to return all pids of processes matching the regexp.${ex('status.pid <sig>')}`,
      params: ['sig'],
      fn: async (ctx, a) => {
        let re: RegExp;
        try {
          re = new RegExp(pyStr(a['sig']));
        } catch (err) {
          throw new ModuleError('INVALID_ARGUMENT', `Invalid regular expression ${JSON.stringify(a['sig'])}`, {
            cause: err,
          });
        }
        const mine = String(process.pid);
        const pids: string[] = [];
        for (const line of (await psOutput(ctx)).split('\n')) {
          if (line.includes(mine)) continue; // as Salt: skip the lines naming this process
          if (re.test(line)) pids.push(line.trim().split(/\s+/)[1] ?? '');
        }
        return pids.join('\n');
      },
    },
    version: {
      doc: `Return the system version for this minion${ex('status.version')}`,
      fn: async () => ((await readText('/proc/version')) ?? '').trim() || {},
    },
    nproc: {
      doc: `Return the number of processing units available on this system${ex('status.nproc')}`,
      fn: async () => {
        const out = (await toolOutput(['nproc'])).trim();
        return /^\d+$/.test(out) ? Number(out) : os.availableParallelism();
      },
    },
    all_status: {
      doc: `Return a composite of all status data and info for this minion.
Warning: There is a LOT here!${ex('status.all_status')}`,
      fn: async () => ({
        cpuinfo: await fromProc('/proc/cpuinfo', parseCpuinfo),
        cpustats: await fromProc('/proc/stat', parseCpustats),
        diskstats: await fromProc('/proc/diskstats', parseDiskstats),
        diskusage: await diskusage([]),
        loadavg: loadavg(),
        meminfo: await fromProc('/proc/meminfo', parseMeminfo),
        netdev: await fromProc('/proc/net/dev', parseNetdev),
        netstats: await fromProc('/proc/net/netstat', parseNetstats),
        uptime: await uptime(),
        vmstats: await fromProc('/proc/vmstat', parseVmstats),
        w: parseW(await toolOutput(['w', '-fh'])),
      }),
    },
  },
});
