import fs from 'node:fs';
import { pyStr } from '@tsalt/core';
import type { MinionConfig } from '@tsalt/config';
import { definePlugin } from '@tsalt/loader';
import type { ModuleContext, ModuleServices } from '../context.js';
import { dfFlags, parseBlkid, parseDfInodes, parseDfPercent, parseDfUsage } from '../df-parse.js';
import { requireBinary, runTool, toolOutput } from '../host-run.js';

/** `df` with Salt's flags; on Linux without /etc/mtab Salt logs why and returns {}, so does tsalt. */
async function df(ctx: ModuleContext, base: string, args: unknown, caller: string): Promise<string | null> {
  const flags = dfFlags(args, caller);
  if (!fs.existsSync('/etc/mtab')) {
    ctx.log.error('df cannot run without /etc/mtab');
    return null;
  }
  return toolOutput(['df', base, ...(flags ? [`-${flags}`] : [])]);
}

const ex = (call: string): string => `\n\nCLI Example:\n\n    salt '*' ${call}`;

/** Salt's `disk` execution module (usage, inodes, blkid), for Linux. */
export default definePlugin<MinionConfig, ModuleServices>({
  name: 'disk',
  doc: 'Module for managing disks and blockdevices',
  virtual: () => (process.platform === 'linux' ? true : 'The disk execution module of tsalt only runs on Linux'),
  functions: {
    usage: {
      doc: `Return usage information for volumes mounted on this minion (df -P, in
1K blocks). \`\`args\`\` adds df flags out of: a B h H i k l P t T x v.${ex('disk.usage')}`,
      params: [{ name: 'args', default: null }],
      fn: async (ctx, a) => {
        const out = await df(ctx, '-P', a['args'], 'disk.usage');
        return out === null ? {} : parseDfUsage(out);
      },
    },
    inodeusage: {
      doc: `Return inode usage information for volumes mounted on this minion${ex('disk.inodeusage')}`,
      params: [{ name: 'args', default: null }],
      fn: async (ctx, a) => {
        const flags = dfFlags(a['args'], 'disk.inodeusage');
        return parseDfInodes(await toolOutput(['df', '-iP', ...(flags ? [`-${flags}`] : [])]));
      },
    },
    percent: {
      doc: `Return partition information for volumes mounted on this minion: the
capacity per mount point, or that of the one mount point given.${ex('disk.percent /var')}`,
      params: [{ name: 'args', default: null }],
      fn: async (ctx, a) => {
        const ret = parseDfPercent(await toolOutput(['df', '-P']));
        const want = a['args'];
        if (want === null || want === undefined || want === '') return ret;
        const key = pyStr(want);
        if (!(key in ret)) {
          ctx.log.error(`Problem parsing disk usage information: Partition '${key}' does not exist!`);
          return {};
        }
        return ret[key];
      },
    },
    blkid: {
      doc: `Return block device attributes: UUID, LABEL, etc. This function only works
on systems where blkid is available.

device
    Device name from the system

token
    Any valid token used for the search${ex('disk.blkid')}
    salt '*' disk.blkid /dev/sda
    salt '*' disk.blkid token='UUID=6a38ee5-7235-44e7-8b22-816a403bad5d'
    salt '*' disk.blkid token='TYPE=ext4'`,
      params: [
        { name: 'device', default: null },
        { name: 'token', default: null },
      ],
      fn: async (_ctx, a) => {
        requireBinary('blkid', 'disk.blkid');
        const argv = ['blkid'];
        if (a['device']) argv.push(pyStr(a['device']));
        else if (a['token']) argv.push('-t', pyStr(a['token']));
        const r = await runTool(argv);
        return r.retcode > 0 ? {} : parseBlkid(r.stdout);
      },
    },
  },
});
