import { isRecord } from '@tsalt/core';
import type { LocalClient } from '@tsalt/client';
import { CliExit, EXIT, printOut, type OutFlags } from './common.js';

/** `-d`, `--doc`, `--documentation` anywhere on the command line (Salt's flag, store_true). */
export function wantsDoc(argv: readonly string[]): boolean {
  return argv.slice(2).some((a) => a === '-d' || a === '--doc' || a === '--documentation');
}

/** Salt's third spelling, `--documentation`, as `--doc` (commander takes one long name per option). */
export function docFlag(argv: readonly string[]): string[] {
  return argv.map((a) => (a === '--documentation' ? '--doc' : a));
}

/**
 * Salt's `salt -d` arguments (SaltCMDOptionParser): no target means `*`,
 * and `sys.doc` goes in as the function, so `tsalt -d`, `tsalt 'web*' -d`
 * and `tsalt -d '*' test.ping` all ask the minions for sys.doc. One
 * function at most.
 */
export function docArgs(args: readonly string[]): { target: string; fun: 'sys.doc'; rest: string[] } {
  const a = [...args];
  if (a.length === 0) a.push('*');
  if (a.length < 2) a.splice(1, 0, 'sys.doc');
  if (a[1] !== 'sys.doc') a.splice(1, 0, 'sys.doc');
  if (a.length > 3)
    throw new CliExit(EXIT.USAGE, 'tsalt: error: You can only get documentation for one method at one time.');
  return { target: a[0] ?? '*', fun: 'sys.doc', rest: a.slice(2) };
}

/**
 * Salt's `_print_docs`: every minion's sys.doc merged (the first minion to
 * document a function wins), sorted, printed as `fun:`, the text and a
 * blank line; with `--out`, each `{fun: doc}` through that outputter.
 */
export async function printDocs(
  client: LocalClient,
  jid: string,
  expected: string[],
  notConnected: string[],
  timeoutS: number,
  f: OutFlags,
): Promise<number> {
  const docs: Record<string, unknown> = {};
  for await (const r of client.getCliReturns(jid, expected, { timeout: timeoutS, notConnected })) {
    if (r.kind === 'missing') continue;
    const ret = r.data['return'];
    if (!isRecord(ret)) continue;
    for (const [fun, doc] of Object.entries(ret)) if (!(fun in docs) && doc) docs[fun] = doc;
  }
  if (Object.keys(docs).length === 0) throw new CliExit(EXIT.NO_RETURN, 'No minions found to gather docs from');
  for (const fun of Object.keys(docs).sort()) {
    // Salt names nested here, but its display_output lets --out win (but for highstate).
    if (f.out) printOut({ [fun]: docs[fun] }, f.out === 'highstate' ? 'nested' : f.out, f);
    else process.stdout.write(`${fun}:\n${String(docs[fun])}\n\n`);
  }
  return EXIT.OK;
}
