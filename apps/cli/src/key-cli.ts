import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Command } from 'commander';
import { DEFAULT_CONFIG_DIR, type MasterConfig } from '@tsalt/config';
import { errorLine, silentLogger } from '@tsalt/core';
import { KeyStore, loadOrCreateKeyPair, pemFingerprint, type KeyState, type KeyListing } from '@tsalt/crypto';
import { renderOutput } from '@tsalt/output';
import { Registry } from '@tsalt/loader';
import { KEY_STATUSES, keyOpsFrom, wheelPlugins, type KeyAction, type KeyOps, type WheelServices } from '@tsalt/wheel';
import { busAddresses, fireMasterEvent } from '@tsalt/events';
import { CliExit, EXIT, loadMasterOpts, salty, useColor } from './common.js';

interface KeyFlags {
  configDir: string;
  list?: string;
  listAll?: boolean;
  accept?: string;
  acceptAll?: boolean;
  reject?: string;
  rejectAll?: boolean;
  delete?: string;
  deleteAll?: boolean;
  finger?: string;
  fingerAll?: boolean;
  print?: string;
  yes?: boolean;
  out?: string;
  color?: boolean;
  includeRejected?: boolean;
  includeDenied?: boolean;
  includeAccepted?: boolean;
  genKeys?: string;
  genKeysDir: string;
  keysize: string;
}

/** Salt's section titles and colours, in `salt-key -L` order. */
const SECTIONS: { state: KeyState; key: keyof KeyListing; title: string; color: string }[] = [
  { state: 'accepted', key: 'minions', title: 'Accepted Keys:', color: '\x1b[0;32m' },
  { state: 'denied', key: 'minions_denied', title: 'Denied Keys:', color: '\x1b[0;35m' },
  { state: 'pending', key: 'minions_pre', title: 'Unaccepted Keys:', color: '\x1b[0;31m' },
  { state: 'rejected', key: 'minions_rejected', title: 'Rejected Keys:', color: '\x1b[0;34m' },
];

const STATE_ALIASES: Record<string, KeyState[] | 'all'> = {
  acc: ['accepted'],
  accepted: ['accepted'],
  pre: ['pending'],
  un: ['pending'],
  unaccepted: ['pending'],
  pending: ['pending'],
  rej: ['rejected'],
  rejected: ['rejected'],
  den: ['denied'],
  denied: ['denied'],
  all: 'all',
};

export function keyProgram(): Command {
  return salty(new Command('tsalt-key'))
    .description('Manage the master public keys of minions.')
    .option('-c, --config-dir <dir>', 'directory holding the master config file', DEFAULT_CONFIG_DIR)
    .option('-L, --list-all', 'list all keys')
    .option('-l, --list <state>', 'list keys in one state: acc, pre/un, rej, den or all')
    .option('-a, --accept <glob>', 'accept the matching pending keys')
    .option('-A, --accept-all', 'accept all pending keys')
    .option('-r, --reject <glob>', 'reject the matching pending keys')
    .option('-R, --reject-all', 'reject all pending keys')
    .option('-d, --delete <glob>', 'delete the matching keys')
    .option('-D, --delete-all', 'delete all keys')
    .option('-f, --finger <glob>', 'print the fingerprints of the matching keys')
    .option('-F, --finger-all', 'print all fingerprints')
    .option('-p, --print <glob>', 'print the matching public keys')
    .option('-y, --yes', 'answer yes to every question')
    .option('--include-rejected', 'accept or delete rejected keys too')
    .option('--include-denied', 'accept or delete denied keys too')
    .option('--include-accepted', 'reject accepted keys too')
    .option('--gen-keys <name>', 'set a name to generate a keypair for use with salt')
    .option(
      '--gen-keys-dir <dir>',
      'set the directory to save the generated keypair, only works with "--gen-keys" option',
      '.',
    )
    .option('--keysize <bits>', 'set the keysize for the generated key, only works with "--gen-keys"', '2048')
    .option('--out <outputter>', 'json for machine-readable output')
    .option('--no-color', 'never colour the output')
    .version(process.env['npm_package_version'] ?? '0.1.0', '-V, --version');
}

class KeyCli {
  readonly store: KeyStore;
  /** The wheel's key code: tsalt-key and `wheel.key.*` move the same files and fire the same events. */
  readonly ops: KeyOps;
  private readonly wheel: Registry<MasterConfig, WheelServices>;
  constructor(
    readonly opts: MasterConfig,
    readonly f: KeyFlags,
  ) {
    this.store = new KeyStore(opts.pki_dir, opts.hash_type);
    const fire = (tag: string, data: Record<string, unknown>): Promise<void> => this.event(tag, data);
    const log = silentLogger();
    this.wheel = new Registry(
      { kind: 'wheel', opts, log, services: { keys: this.store }, fireEvent: fire },
      wheelPlugins(),
    );
    this.ops = keyOpsFrom({ opts, services: { keys: this.store }, log, fireEvent: fire });
  }

  private color(c: string): { on: string; off: string } {
    return useColor({ color: this.f.color !== false }) ? { on: c, off: '\x1b[0;0m' } : { on: '', off: '' };
  }

  print(listing: Partial<KeyListing>, states: KeyState[] | 'all' = 'all'): void {
    if (this.f.out === 'json') {
      process.stdout.write(JSON.stringify(listing, null, 4) + '\n');
      return;
    }
    for (const s of SECTIONS) {
      if (states !== 'all' && !states.includes(s.state)) continue;
      const c = this.color(s.color);
      process.stdout.write(`${c.on}${s.title}${c.off}\n`);
      for (const id of listing[s.key] ?? []) process.stdout.write(`${c.on}${id}${c.off}\n`);
    }
  }

  async confirm(verb: string, found: Partial<KeyListing>, defaultYes: boolean): Promise<boolean> {
    process.stdout.write(`The following keys are going to be ${verb}:\n`);
    this.print(
      found,
      SECTIONS.filter((s) => found[s.key]).map((s) => s.state),
    );
    if (this.f.yes) return true;
    process.stdout.write(defaultYes ? 'Proceed? [n/Y] ' : 'Proceed? [N/y] ');
    // Salt's input(): the answer is one line of stdin, a TTY or a pipe (`echo n | tsalt-key -a k1`).
    const answer = await readAnswer();
    if (answer === undefined) {
      // Salt's salt-key on an empty stdin: input() fails, the CLI prints the error and does nothing.
      process.stderr.write('Error: EOF when reading a line\n');
      return false;
    }
    const a = answer.trim().toLowerCase();
    return a === '' ? defaultYes : a.startsWith('y');
  }

  /** Fires onto the master bus when the master is running; tsalt-key works without one. */
  async event(tag: string, data: Record<string, unknown>): Promise<void> {
    const sock = busAddresses(this.opts.sock_dir).pull.slice('ipc://'.length);
    if (!fs.existsSync(sock)) return;
    await fireMasterEvent(this.opts.sock_dir, tag, data, 1000, { confirm: true }).catch(() => undefined);
  }

  /** As salt-key: match, confirm, then hand the confirmed keys to `wheel.key.<kind>_dict`. */
  async act(glob: string, kind: KeyAction): Promise<number> {
    // Only a change makes the folders: -L, -f and -p read, so a user who
    // cannot write pki_dir still lists (a missing folder lists as empty).
    this.store.ensureDirs();
    const f = this.f;
    const flags = {
      includeRejected: f.includeRejected === true,
      includeDenied: f.includeDenied === true,
      includeAccepted: f.includeAccepted === true,
    };
    const found = this.ops.nameMatch(glob, this.ops.sourceStates(kind, flags));
    const ids = KEY_STATUSES.flatMap((s) => found[s.status] ?? []);
    if (ids.length === 0) {
      const which = kind === 'delete' ? '' : kind === 'accept' ? 'unaccepted ' : 'pending ';
      process.stdout.write(`The key glob '${glob}' does not match any ${which}keys.\n`);
      return EXIT.OK;
    }
    const verb = { accept: 'accepted', reject: 'rejected', delete: 'deleted' }[kind];
    // Salt asks [N/y] only before a delete; accept and reject default to yes.
    if (!(await this.confirm(verb, found, kind !== 'delete'))) return EXIT.OK;
    const kwargs: Record<string, unknown> =
      kind === 'accept'
        ? { include_rejected: flags.includeRejected, include_denied: flags.includeDenied }
        : kind === 'reject'
          ? { include_accepted: flags.includeAccepted, include_denied: flags.includeDenied }
          : {};
    await this.wheel.call(`key.${kind}_dict`, [found], kwargs);
    if (f.out !== 'json') for (const id of ids) process.stdout.write(`Key for minion ${id} ${verb}.\n`);
    if (f.out === 'json')
      process.stdout.write(
        JSON.stringify(
          { [kind === 'accept' ? 'minions' : kind === 'reject' ? 'minions_rejected' : 'deleted']: ids },
          null,
          4,
        ) + '\n',
      );
    return EXIT.OK;
  }

  fingers(glob: string): number {
    const result = this.ops.finger(glob, { localNames: ['master.pem', 'master.pub'] });
    if (this.f.out === 'json') {
      process.stdout.write(JSON.stringify(result, null, 4) + '\n');
      return EXIT.OK;
    }
    const titles: Record<string, string> = {
      local: 'Local Keys:',
      ...Object.fromEntries(SECTIONS.map((s) => [s.key, s.title])),
    };
    for (const [section, entries] of Object.entries(result)) {
      if (section !== 'local' && Object.keys(entries).length === 0) continue;
      process.stdout.write(`${titles[section]}\n`);
      for (const [id, fp] of Object.entries(entries)) process.stdout.write(`${id}:  ${fp}\n`);
    }
    return EXIT.OK;
  }

  printKeys(glob: string): number {
    const titles: Record<string, string> = Object.fromEntries(SECTIONS.map((s) => [s.key, s.title]));
    for (const [status, keys] of Object.entries(this.ops.keyStr(glob))) {
      process.stdout.write(`${titles[status]}\n`);
      for (const [id, pem] of Object.entries(keys)) process.stdout.write(`${id}:  ${pem}\n`);
    }
    return EXIT.OK;
  }
}

/** One line of stdin, without its line end; undefined at end of input. */
function readAnswer(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, terminal: false });
    let line: string | undefined;
    rl.once('line', (l) => {
      line = l;
      rl.close();
    });
    rl.once('close', () => resolve(line));
  });
}

/**
 * Salt's `salt-key --gen-keys NAME`: NAME.pem (0400) and NAME.pub in
 * `--gen-keys-dir`, an existing pair kept, and the public key's fingerprint
 * printed under `return:`, as Salt's nested output shows it.
 */
function genKeys(f: KeyFlags, name: string): number {
  const bits = Number(f.keysize);
  if (!Number.isInteger(bits))
    throw new CliExit(EXIT.USAGE, `tsalt-key: error: option --keysize: invalid integer value: '${f.keysize}'`);
  if (bits < 2048) throw new CliExit(EXIT.USAGE, 'tsalt-key: error: The minimum value for keysize is 2048');
  if (bits > 32768) throw new CliExit(EXIT.USAGE, 'tsalt-key: error: The maximum value for keysize is 32768');
  const dir = path.resolve(f.genKeysDir);
  try {
    loadOrCreateKeyPair(dir, name, bits);
  } catch (err) {
    throw new CliExit(EXIT.GENERIC, `Error: ${errorLine(err)}`);
  }
  const finger = pemFingerprint(fs.readFileSync(path.join(dir, `${name}.pub`), 'utf8'));
  process.stdout.write(
    renderOutput('nested', { return: finger }, { color: useColor({ color: f.color !== false }) }) + '\n',
  );
  return EXIT.OK;
}

export async function keyMain(argv: string[]): Promise<number> {
  const program = keyProgram();
  program.parse(argv);
  const f = program.opts<KeyFlags>();
  // Before the config: Salt generates keys where it has no master config to read.
  if (f.genKeys) return genKeys(f, f.genKeys);
  const opts = loadMasterOpts(f.configDir);
  const cli = new KeyCli(opts, f);
  if (f.accept !== undefined) return cli.act(f.accept, 'accept');
  if (f.acceptAll) return cli.act('*', 'accept');
  if (f.reject !== undefined) return cli.act(f.reject, 'reject');
  if (f.rejectAll) return cli.act('*', 'reject');
  if (f.delete !== undefined) return cli.act(f.delete, 'delete');
  if (f.deleteAll) return cli.act('*', 'delete');
  if (f.finger !== undefined) return cli.fingers(f.finger);
  if (f.fingerAll) return cli.fingers('*');
  if (f.print !== undefined) return cli.printKeys(f.print);
  if (f.list !== undefined) {
    const states = STATE_ALIASES[f.list.toLowerCase()];
    if (!states)
      throw new CliExit(
        EXIT.USAGE,
        `tsalt-key: error: invalid key state '${f.list}': use acc, pre, un, rej, den or all`,
      );
    const all = cli.store.list();
    const sel =
      states === 'all'
        ? all
        : Object.fromEntries(SECTIONS.filter((s) => states.includes(s.state)).map((s) => [s.key, all[s.key]]));
    cli.print(sel, states);
    return EXIT.OK;
  }
  cli.print(cli.store.list());
  return EXIT.OK;
}
