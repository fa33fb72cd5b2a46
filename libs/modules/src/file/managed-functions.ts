import { isRecord, pyStr } from '@tsalt/core';
import type { FileFunction } from './basic.js';
import { checkFileMeta, getDiff, manageFile } from './managed.js';
import { parseSourceHash, sourceFetcher } from './source.js';
import { hashFile } from './stat-ops.js';
import { expandUser, flag, invocationError } from './util.js';

const str = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : pyStr(v));

/** Template rendering belongs to the state issue; until then a template is refused with a reason. */
function noTemplate(t: unknown): void {
  if (t !== null && t !== undefined && t !== '' && t !== false)
    throw invocationError(`template=${pyStr(t)} is not supported by tsalt's file module yet; render the source first`);
}

export const managedFunctions: Record<string, FileFunction> = {
  get_diff: {
    doc: "Return unified diff of two files\n\nfile1\n    The first file to feed into the diff utility\nfile2\n    The second file to feed into the diff utility\nsaltenv\n    Which fileserver environment to use (for salt:// sources)\nshow_filenames: True\n    Put the file paths in the ``---`` / ``+++`` header lines\nshow_changes: True\n    If set to False, '<show_changes=False>' is returned for differing files\ntemplate: False\n    With obfuscate_templates, '<Obfuscated Template>' is returned\n\nCLI Example:\n\n    salt '*' file.get_diff /home/fred/.vimrc /home/fred/.vimrc.bak",
    params: [
      'file1',
      'file2',
      { name: 'saltenv', default: 'base' },
      { name: 'show_filenames', default: true },
      { name: 'show_changes', default: true },
      { name: 'template', default: false },
      { name: 'source_hash_file1', default: null },
      { name: 'source_hash_file2', default: null },
    ],
    fn: (ctx, a) =>
      getDiff(sourceFetcher(ctx), expandUser(a['file1']), expandUser(a['file2']), {
        saltenv: pyStr(a['saltenv']),
        showFilenames: flag(a['show_filenames']),
        showChanges: flag(a['show_changes']),
        template: flag(a['template']),
      }),
  },
  manage_file: {
    doc: "Checks the destination against what was retrieved with get_managed and\nmakes the appropriate modifications (if necessary).\n\nname\n    location to place the file\nsfn\n    location of cached file on the minion (empty to fetch ``source``)\nret\n    The initial state return data structure. Pass in ``None`` to use the default structure.\nsource\n    file reference on the master (a local path or file:// URL until the file server lands)\nsource_sum\n    sum hash for source, ``{hash_type, hsum}``\nuser / group / mode\n    ownership and mode to set\nmakedirs: False\n    make the parent directories when missing\nshow_changes: True\n    put the diff in ``changes.diff``\ncontents\n    the file's contents, instead of a source\ndir_mode\n    mode of directories made by makedirs\n\nCLI Example:\n\n    salt '*' file.manage_file /etc/httpd/conf.d/httpd.conf '' '{}' /srv/httpd.conf '{hash_type: sha256, hsum: <hash>}' root root '755' '' base ''",
    params: [
      'name',
      'sfn',
      'ret',
      'source',
      'source_sum',
      'user',
      'group',
      'mode',
      'attrs',
      'saltenv',
      'backup',
      { name: 'makedirs', default: false },
      { name: 'template', default: null },
      { name: 'show_changes', default: true },
      { name: 'contents', default: null },
      { name: 'dir_mode', default: null },
      { name: 'follow_symlinks', default: true },
      { name: 'skip_verify', default: false },
      { name: 'keep_mode', default: false },
      { name: 'encoding', default: null },
      { name: 'encoding_errors', default: 'strict' },
      { name: 'seuser', default: null },
      { name: 'serole', default: null },
      { name: 'setype', default: null },
      { name: 'serange', default: null },
      { name: 'verify_ssl', default: true },
      { name: 'use_etag', default: false },
    ],
    varkw: true,
    fn: (ctx, a) => {
      noTemplate(a['template']);
      const ret = isRecord(a['ret']) && Object.keys(a['ret']).length ? a['ret'] : null;
      const sum = a['source_sum'] && typeof a['source_sum'] === 'object' ? a['source_sum'] : null;
      return manageFile(sourceFetcher(ctx), {
        name: expandUser(a['name']),
        sfn: str(a['sfn']),
        ret,
        source: str(a['source']),
        sourceSum: sum,
        user: str(a['user']),
        group: str(a['group']),
        mode: str(a['mode']),
        saltenv: str(a['saltenv']) ?? 'base',
        makedirs: flag(a['makedirs']),
        showChanges: flag(a['show_changes']),
        contents: a['contents'] === null ? null : pyStr(a['contents']),
        dirMode: str(a['dir_mode']),
        followSymlinks: flag(a['follow_symlinks']),
        hashType: ctx.opts.hash_type,
        test: ctx.opts.test === true,
      });
    },
  },
  check_managed_changes: {
    doc: "Return a dictionary of what changes need to be made for a file\n\n(``{newfile: name}`` for a missing file; else ``diff``, ``user``, ``group``\nand ``mode`` where they differ)\n\nCLI Example:\n\n    salt '*' file.check_managed_changes /etc/httpd/conf.d/httpd.conf /srv/httpd.conf '{hash_type: sha256, hsum: <hash>}' '' root root '755' '' None None None base",
    params: [
      'name',
      'source',
      'source_hash',
      'source_hash_name',
      'user',
      'group',
      'mode',
      'attrs',
      'template',
      'context',
      'defaults',
      'saltenv',
      { name: 'contents', default: null },
      { name: 'skip_verify', default: false },
      { name: 'keep_mode', default: false },
      { name: 'seuser', default: null },
      { name: 'serole', default: null },
      { name: 'setype', default: null },
      { name: 'serange', default: null },
      { name: 'verify_ssl', default: true },
      { name: 'use_etag', default: false },
    ],
    varkw: true,
    fn: async (ctx, a) => {
      noTemplate(a['template']);
      const fetch = sourceFetcher(ctx);
      const source = str(a['source']);
      const saltenv = str(a['saltenv']) ?? 'base';
      let sfn: string | null = null;
      let sum: { hash_type: string; hsum: string } | null = null;
      if (source) {
        const got = await fetch(source, saltenv);
        if (!got) return [false, `Source file '${source}' not found`];
        sfn = got;
        const given = flag(a['skip_verify']) ? null : parseSourceHash(a['source_hash']);
        const htype = given?.hash_type ?? ctx.opts.hash_type;
        const actual = hashFile(sfn, htype);
        if (given && given.hsum !== actual)
          return [
            false,
            `Specified ${htype} checksum for ${source} (${given.hsum}) does not match actual checksum (${actual})`,
          ];
        sum = { hash_type: htype, hsum: actual };
      }
      return checkFileMeta(fetch, expandUser(a['name']), sfn, sum, {
        source,
        user: str(a['user']),
        group: str(a['group']),
        mode: str(a['mode']),
        contents: a['contents'] === null ? null : pyStr(a['contents']),
        saltenv,
        followSymlinks: true,
      });
    },
  },
};
