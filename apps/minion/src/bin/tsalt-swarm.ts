#!/usr/bin/env node
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { createLogger, errorLine } from '@tsalt/core';
import { DEFAULT_CONFIG_DIR, loadConfig } from '@tsalt/config';
import { processesFor, runSwarm } from '../swarm/swarm.js';

function count(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`${name} must be a whole number of 1 or more, got ${JSON.stringify(v)}`);
    return n;
  };
}

const program = new Command('tsalt-swarm')
  .description(
    'Emulates many minions against the master named in DIR/minion: each has its own id, key pair and sockets; test.* runs in-process.',
  )
  .option('-c, --config-dir <dir>', 'directory holding the minion config', DEFAULT_CONFIG_DIR)
  .requiredOption('--minions <n>', 'how many minions to start', count('--minions'))
  .option('--id-prefix <prefix>', 'minion ids are <prefix>1 .. <prefix>N', 'swarm-')
  .option(
    '--processes <p>',
    'processes to spread the minions over (default: one per core, more when the open-files limit requires)',
    count('--processes'),
  )
  .option('--key-dir <dir>', 'where the key pairs are kept between runs (default: <pki_dir>/swarm)')
  .option('-l, --log-level <level>', 'console log level of the emulated minions')
  .version(process.env['npm_package_version'] ?? '0.1.0', '-V, --version');
program.parse();
const o = program.opts<{
  configDir: string;
  minions: number;
  idPrefix: string;
  processes?: number;
  keyDir?: string;
  logLevel?: string;
}>();

const overrides: Record<string, unknown> = {};
if (o.logLevel) overrides['log_level'] = o.logLevel;
let keyDir: string;
let processes: number;
try {
  processes = processesFor(o.minions, o.processes, os.availableParallelism());
  const base = loadConfig(
    'minion',
    o.configDir,
    overrides,
    createLogger({ level: o.logLevel ?? 'warning', name: 'tsalt-swarm' }),
  );
  keyDir = path.resolve(o.keyDir ?? path.join(base.pki_dir, 'swarm'));
} catch (err) {
  process.stderr.write(`tsalt-swarm: ${errorLine(err)}\n`);
  process.exit(2);
}

const code = await runSwarm({
  configDir: o.configDir,
  overrides,
  minions: o.minions,
  idPrefix: o.idPrefix,
  processes,
  keyDir,
  print: (line) => process.stdout.write(`${line}\n`),
});
process.exit(code);
