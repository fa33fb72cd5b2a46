import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isRecord, pyStr } from '@tsalt/core';
import type { StateContext, StateReturn } from '../types.js';
import {
  checkUser,
  errText,
  exists,
  expandUser,
  fail,
  flag,
  isDir,
  isFile,
  isTest,
  newRet,
  normalizeMode,
  opt,
  saltOf,
  saltenvOf,
  slsOf,
  splitLines,
  strList,
} from './common.js';
import { checkMeta, checkPerms } from './meta.js';

/** Salt's `__NOT_FOUND`: a pillar or grain key that is not there. */
const NOT_FOUND = Symbol('not found');

/** `pillar.get` / `grains.get` over the data the state sees, with Salt's delimiter. */
function lookup(data: Readonly<Record<string, unknown>>, key: string, delimiter: string): unknown {
  let cur: unknown = data;
  for (const part of key.split(delimiter)) {
    if (isRecord(cur) && Object.hasOwn(cur, part)) cur = cur[part];
    else if (Array.isArray(cur) && /^\d+$/.test(part) && Number(part) < cur.length) cur = cur[Number(part)];
    else return NOT_FOUND;
  }
  return cur;
}

/** contents_pillar / contents_grains: one key, or a list joined with newlines; a string error when missing. */
function fromData(
  data: Readonly<Record<string, unknown>>,
  keys: unknown,
  delimiter: string,
  what: 'Pillar' | 'Grain',
): { value: unknown } | { error: string } {
  if (Array.isArray(keys)) {
    const parts: string[] = [];
    for (const k of keys) {
      const v = lookup(data, pyStr(k), delimiter);
      if (v === NOT_FOUND) return { error: `${what} ${pyStr(k)} does not exist` };
      parts.push(pyStr(v));
    }
    return { value: parts.join('\n') };
  }
  const v = lookup(data, pyStr(keys), delimiter);
  if (v === NOT_FOUND) return { error: `${what} ${pyStr(keys)} does not exist` };
  return { value: v };
}

/** The arguments of file.managed that recurse passes along. */
export interface ManagedArgs {
  name: unknown;
  source?: unknown;
  source_hash?: unknown;
  source_hash_name?: unknown;
  user?: unknown;
  group?: unknown;
  mode?: unknown;
  attrs?: unknown;
  template?: unknown;
  makedirs?: unknown;
  dir_mode?: unknown;
  context?: unknown;
  replace?: unknown;
  defaults?: unknown;
  backup?: unknown;
  show_changes?: unknown;
  create?: unknown;
  contents?: unknown;
  contents_pillar?: unknown;
  contents_grains?: unknown;
  contents_newline?: unknown;
  contents_delimiter?: unknown;
  allow_empty?: unknown;
  follow_symlinks?: unknown;
  skip_verify?: unknown;
  owner?: unknown;
  file_mode?: unknown;
  check_cmd?: unknown;
  keep_source?: unknown;
  tmp_dir?: unknown;
  tmp_ext?: unknown;
}

const present = (v: unknown): boolean => v !== null && v !== undefined;

/** Salt's file.managed. */
export async function managed(ctx: StateContext, a: ManagedArgs): Promise<StateReturn> {
  const salt = saltOf(ctx);
  const test = isTest(ctx);
  const saltenv = saltenvOf(ctx);
  const name = expandUser(a.name);
  const ret = newRet(name);
  if (!name) return fail(ret, 'Destination file name is required');
  let mode: unknown = opt(a.mode);
  const keepMode = typeof mode === 'string' && mode.toLowerCase() === 'keep';
  if (keepMode) mode = null;
  mode = normalizeMode(mode);
  let source: unknown = opt(a.source);
  let sourceHash: unknown = a.source_hash ?? '';
  const template = opt(a.template);
  const context = opt(a.context);
  const defaults = opt(a.defaults);
  const followSymlinks = a.follow_symlinks === undefined ? true : flag(a.follow_symlinks);
  const showChanges = a.show_changes === undefined ? true : flag(a.show_changes);
  let replace = a.replace === undefined ? true : flag(a.replace);
  const create = a.create === undefined ? true : flag(a.create);
  const contentsCount = [a.contents, a.contents_pillar, a.contents_grains].filter(present).length;

  if (source && contentsCount > 0)
    return fail(ret, "'source' cannot be used in combination with 'contents', 'contents_pillar', or 'contents_grains'");
  if (keepMode && contentsCount > 0)
    return fail(
      ret,
      "Mode preservation cannot be used in combination with 'contents', 'contents_pillar', or 'contents_grains'",
    );
  if (contentsCount > 1)
    return fail(ret, "Only one of 'contents', 'contents_pillar', and 'contents_grains' is permitted");
  if (!source && contentsCount === 0 && replace) {
    // Nothing to replace the file with: Salt turns replace off rather than read the file for nothing.
    replace = false;
    ctx.log.warn(
      `State for file: ${name} - Neither 'source' nor 'contents' nor 'contents_pillar' nor 'contents_grains' was defined, yet 'replace' was set to 'True'. As there is no source to replace the file with, 'replace' has been set to 'False' to avoid reading the file unnecessarily.`,
    );
  }
  if (a.file_mode !== undefined)
    ret['warnings'] = ["The 'file_mode' argument will be ignored.  Please use 'mode' instead to set file permissions."];

  const delimiter =
    a.contents_delimiter === undefined || a.contents_delimiter === null ? ':' : pyStr(a.contents_delimiter);
  let useContents: unknown = null;
  if (present(a.contents_pillar)) {
    const got = fromData(ctx.pillar, a.contents_pillar, delimiter, 'Pillar');
    if ('error' in got) return fail(ret, got.error);
    useContents = got.value;
  } else if (present(a.contents_grains)) {
    const got = fromData(ctx.grains, a.contents_grains, delimiter, 'Grain');
    if ('error' in got) return fail(ret, got.error);
    useContents = got.value;
  } else if (present(a.contents)) useContents = a.contents;

  let contents: string | null = null;
  if (useContents !== null) {
    const allowEmpty = a.allow_empty === undefined ? true : flag(a.allow_empty);
    if (!allowEmpty && !useContents) {
      const id = present(a.contents_pillar)
        ? `contents_pillar ${pyStr(a.contents_pillar)}`
        : present(a.contents_grains)
          ? `contents_grains ${pyStr(a.contents_grains)}`
          : "'contents'";
      return fail(
        ret,
        `${id} value would result in empty contents. Set allow_empty to True to allow the managed file to be empty.`,
      );
    }
    contents = '';
    // Each line ends in a newline, whatever it ended in before (Salt's os.linesep).
    for (const part of strList(useContents)) for (const line of splitLines(part)) contents += `${line}\n`;
    if (a.contents_newline !== undefined && !flag(a.contents_newline))
      contents = contents.replace(/\n$/, '').replace(/\r$/, '');
    if (template) {
      const out = await salt('file.apply_template_on_contents', [contents, template, context, defaults, saltenv]);
      if (typeof out !== 'string') {
        const o = isRecord(out) ? out : {};
        ret.result = 'result' in o ? (o['result'] as boolean | null) : false;
        ret.comment = 'comment' in o ? pyStr(o['comment']) : 'Error while applying template on contents';
        return ret;
      }
      contents = out;
    }
  }

  // Salt's _test_owner: `owner` stands in for a user that is not given.
  const user = !opt(a.user) && present(a.owner) ? a.owner : opt(a.user);
  const group = opt(a.group);
  if (!create && !isFile(name)) {
    ret.comment = `File ${name} is not present and is not set for creation`;
    return ret;
  }
  const uCheck = await checkUser(ctx, user, group);
  if (uCheck) return fail(ret, uCheck);
  if (!path.isAbsolute(name)) return fail(ret, `Specified file ${name} is not an absolute path`);
  if (isDir(name)) return fail(ret, `Specified target ${name} is a directory`);
  if (context !== null && !isRecord(context)) return fail(ret, 'Context must be formed as a dict');
  if (defaults && !isRecord(defaults)) return fail(ret, 'Defaults must be formed as a dict');

  if (!replace && exists(name)) {
    if (test) {
      const changes = await checkMeta(ctx, name, user, group, mode, followSymlinks);
      ret.changes = changes;
      if (Object.keys(changes).length) ret.result = null;
      const st = (await salt('file.stats', [name, null, followSymlinks])) as Record<string, unknown>;
      const lmode = normalizeMode(st['mode']);
      ret.comment =
        mode && lmode !== null && mode !== lmode
          ? `File ${name} will be updated with permissions ${pyStr(mode)} from its current state of ${lmode}`
          : `File ${name} not updated`;
      return ret;
    }
    const [out] = await checkPerms(ctx, name, ret, user, group, mode, followSymlinks);
    const r = out as StateReturn;
    if (!Object.keys(r.changes).length && r.result)
      r.comment = `File ${name} exists with proper permissions. No changes made.`;
    return r;
  }

  try {
    // The first of a list of sources that exists (check_managed_changes would pick the same in test mode).
    [source, sourceHash] = (await salt('file.source_list', [source, sourceHash, saltenv])) as [unknown, unknown];
    if (keepMode && typeof source === 'string') {
      // Salt keeps the source's mode: the file server's (or the local file's) permission bits.
      try {
        const m = await salt('cp.stat_file', [source, saltenv], { octal: true });
        if (m !== null && m !== undefined) mode = normalizeMode(m);
      } catch (err) {
        ctx.log.warn(`Unable to stat ${pyStr(source)}: ${errText(err)}`);
      }
    }

    if (test) {
      const changes = await salt(
        'file.check_managed_changes',
        [
          name,
          source,
          sourceHash,
          opt(a.source_hash_name),
          user,
          group,
          mode,
          opt(a.attrs),
          template,
          context,
          defaults,
          saltenv,
          contents,
          flag(a.skip_verify),
          keepMode,
        ],
        { follow_symlinks: followSymlinks, sls: slsOf(ctx) },
      );
      if (Array.isArray(changes)) {
        ret.result = changes[0] as boolean;
        ret.comment = pyStr(changes[1]);
        ret.changes = {};
      } else if (isRecord(changes) && Object.keys(changes).length) {
        ret.changes = changes;
        ret.result = null;
        ret.comment = `The file ${name} is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.`;
        if ('diff' in changes && !showChanges) changes['diff'] = '<show_changes=False>';
      } else {
        ret.result = true;
        ret.comment = `The file ${name} is in the correct state`;
      }
      return ret;
    }
  } catch (err) {
    ret.result = false;
    ret.comment = `Unable to manage file: ${errText(err)}`;
    return ret;
  }

  let sfn: unknown;
  let sourceSum: unknown;
  let comment: unknown;
  try {
    [sfn, sourceSum, comment] = (await salt(
      'file.get_managed',
      [
        name,
        template,
        source,
        sourceHash,
        opt(a.source_hash_name),
        user,
        group,
        mode,
        opt(a.attrs),
        saltenv,
        context,
        defaults,
        flag(a.skip_verify),
      ],
      { sls: slsOf(ctx) },
    )) as [unknown, unknown, unknown];
  } catch (err) {
    ret.changes = {};
    return fail(ret, `Unable to manage file: ${errText(err)}`);
  }
  const manageArgs = (target: string, file: unknown, r: StateReturn): unknown[] => [
    target,
    file,
    r,
    source,
    sourceSum,
    user,
    group,
    mode,
    opt(a.attrs),
    saltenv,
    opt(a.backup) ?? '',
    flag(a.makedirs),
    template,
    showChanges,
    contents,
    opt(a.dir_mode),
    followSymlinks,
    flag(a.skip_verify),
    keepMode,
  ];

  let checkFile: string | null = null;
  let out: StateReturn = ret;
  try {
    if (present(a.check_cmd) && a.check_cmd !== '') {
      // Salt builds the new file beside the real one first and runs check_cmd on it; a failing check stops here.
      checkFile = checkTemp(a.tmp_dir, a.tmp_ext);
      if (await salt('file.file_exists', [name])) {
        try {
          await salt('file.copy', [name, checkFile]);
        } catch (err) {
          return fail(out, `Unable to copy file ${name} to ${checkFile}: ${errText(err)}`);
        }
      }
      try {
        out = (await salt('file.manage_file', manageArgs(checkFile, sfn, out))) as StateReturn;
      } catch (err) {
        out.changes = {};
        return fail(out, `Unable to check_cmd file: ${errText(err)}`);
      }
      const changed = Object.keys(out.changes).length > 0;
      out = newRet(name);
      if (changed) {
        const cret = await runCheckCmd(ctx, pyStr(a.check_cmd), checkFile);
        if (cret) return Object.assign(out, cret);
        sfn = checkFile;
      }
    }
    if (comment && contents === null) return fail(out, pyStr(comment));
    try {
      return (await salt('file.manage_file', manageArgs(name, sfn, out))) as StateReturn;
    } catch (err) {
      out.changes = {};
      return fail(out, `Unable to manage file: ${errText(err)}`);
    }
  } finally {
    if (checkFile) fs.rmSync(checkFile, { force: true });
    if (
      a.keep_source !== undefined &&
      !flag(a.keep_source) &&
      typeof source === 'string' &&
      source.startsWith('salt://')
    ) {
      // keep_source: False drops the minion's cached copy of the source once it is used.
      const cached = await salt('cp.is_cached', [source, saltenv]).catch(() => '');
      if (typeof cached === 'string' && cached) fs.rmSync(cached, { force: true });
    }
  }
}

/** Salt's mkstemp for check_cmd: in `tmp_dir` (the system's by default), ending in `tmp_ext`. */
function checkTemp(tmpDir: unknown, tmpExt: unknown): string {
  const dir = tmpDir ? pyStr(tmpDir) : os.tmpdir();
  const ext = tmpExt ? pyStr(tmpExt) : '';
  const file = path.join(dir, `tmp${crypto.randomBytes(6).toString('hex')}${ext}`);
  fs.writeFileSync(file, '', { mode: 0o600, flag: 'wx' });
  return file;
}

/** Salt's `mod_run_check_cmd`: null when `cmd <file>` succeeds, else the failed return. */
async function runCheckCmd(ctx: StateContext, cmd: string, file: string): Promise<Partial<StateReturn> | null> {
  const kwargs: Record<string, unknown> = {};
  if (typeof ctx.grains['shell'] === 'string') kwargs['shell'] = ctx.grains['shell'];
  const cret = (await saltOf(ctx)('cmd.run_all', [`${cmd} ${file}`], kwargs)) as Record<string, unknown>;
  if (cret['retcode'] === 0) return null;
  let comment = 'check_cmd execution failed';
  if (cret['stdout']) comment += `\n${pyStr(cret['stdout'])}`;
  if (cret['stderr']) comment += `\n${pyStr(cret['stderr'])}`;
  return { comment, skip_watch: true, result: false };
}
