import { isRecord, pyStr } from '@tsalt/core';
import type { FileFunction } from './basic.js';
import { checkFileMeta, getDiff, manageFile } from './managed.js';
import { parseSourceHash, sourceFetcher } from './source.js';
import { hashFile } from './stat-ops.js';
import { expandUser, flag } from './util.js';
import { cleanTemp, getManaged, renderTemplate, sourceList } from './template.js';

const str = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : pyStr(v));

const hasTemplate = (t: unknown): boolean => t !== null && t !== undefined && t !== '' && t !== false;

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
        backup: str(a['backup']),
        cachedir: ctx.opts.cachedir,
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
      { name: 'follow_symlinks', default: false },
    ],
    varkw: true,
    fn: async (ctx, a) => {
      const saltenv = str(a['saltenv']) ?? 'base';
      const [src, srcHash] = await sourceList(ctx, a['source'], a['source_hash'], saltenv);
      const source = str(src);
      const fetch = sourceFetcher(ctx);
      let sfn: string | null = null;
      let sum: { hash_type: string; hsum: string } | null = null;
      const contents = a['contents'] === null ? null : pyStr(a['contents']);
      if (source && contents === null) {
        if (hasTemplate(a['template'])) {
          const [path, got, comment] = await getManaged(ctx, {
            name: expandUser(a['name']),
            template: a['template'],
            source,
            sourceHash: srcHash,
            user: a['user'],
            group: a['group'],
            mode: a['mode'],
            saltenv,
            context: a['context'],
            defaults: a['defaults'],
            skipVerify: flag(a['skip_verify']),
            sls: (a['__kwargs__'] as Record<string, unknown> | undefined)?.['sls'],
          });
          if (comment) {
            cleanTemp(path);
            return [false, comment];
          }
          sfn = path;
          sum = { hash_type: got['hash_type'] ?? 'sha256', hsum: got['hsum'] ?? '' };
        } else {
          const got = await fetch(source, saltenv);
          if (!got) return [false, `Source file '${source}' not found`];
          sfn = got;
          const given = flag(a['skip_verify']) ? null : parseSourceHash(srcHash);
          const htype = given?.hash_type ?? ctx.opts.hash_type;
          const actual = hashFile(sfn, htype);
          if (given && given.hsum !== actual)
            return [
              false,
              `Specified ${htype} checksum for ${source} (${given.hsum}) does not match actual checksum (${actual})`,
            ];
          sum = { hash_type: htype, hsum: actual };
        }
      }
      try {
        return await checkFileMeta(fetch, expandUser(a['name']), sfn, sum, {
          source,
          user: str(a['user']),
          group: str(a['group']),
          mode: str(a['mode']),
          contents,
          saltenv,
          followSymlinks: flag(a['follow_symlinks']),
        });
      } finally {
        cleanTemp(sfn);
      }
    },
  },
  get_managed: {
    doc: "Return the managed file data for file.managed\n\nname\n    location where the file lives on the server\ntemplate\n    template format (``jinja``)\nsource\n    managed source file (salt://, a local path or file://)\nsource_hash\n    hash of the source file\nuser / group / mode\n    given to the template as variables\nsaltenv\n    Salt fileserver environment from which to retrieve the file\ncontext\n    variables to add to the template environment\ndefaults\n    default values of for context_dict\nskip_verify\n    If ``True``, hash verification of remote file sources will be skipped\n\nReturns ``[sfn, source_sum, comment]``: the local file (the rendered template), its hash, and an error comment.\n\nCLI Example:\n\n    salt '*' file.get_managed /etc/httpd/conf.d/httpd.conf jinja salt://http/httpd.conf '{hash_type: 'md5', 'hsum': <md5sum>}' None root root '755' base None None",
    params: [
      'name',
      'template',
      'source',
      'source_hash',
      'source_hash_name',
      'user',
      'group',
      'mode',
      'attrs',
      'saltenv',
      'context',
      'defaults',
      { name: 'skip_verify', default: false },
      { name: 'verify_ssl', default: true },
      { name: 'use_etag', default: false },
    ],
    varkw: true,
    fn: (ctx, a) =>
      getManaged(ctx, {
        name: expandUser(a['name']),
        template: a['template'],
        source: str(a['source']),
        sourceHash: a['source_hash'],
        user: a['user'],
        group: a['group'],
        mode: a['mode'],
        saltenv: str(a['saltenv']) ?? 'base',
        context: a['context'],
        defaults: a['defaults'],
        skipVerify: flag(a['skip_verify']),
        sls: (a['__kwargs__'] as Record<string, unknown>)['sls'],
      }),
  },
  apply_template_on_contents: {
    doc: "Return the contents after applying the templating engine\n\ncontents\n    template string\ntemplate\n    template format (``jinja``)\ncontext\n    Overrides default context variables passed to the template.\ndefaults\n    Default context passed to the template.\n\nCLI Example:\n\n    salt '*' file.apply_template_on_contents \\\n        contents='This is a {{ template }} string.' \\\n        template=jinja \\\n        \"context={}\" \"defaults={'template': 'cool'}\" \\\n        saltenv=base",
    params: ['contents', 'template', 'context', 'defaults', 'saltenv'],
    fn: async (ctx, a) => {
      const out = await renderTemplate(ctx, pyStr(a['contents'] ?? ''), pyStr(a['template']), {
        file: '<contents>',
        context: a['context'],
        defaults: a['defaults'],
        saltenv: str(a['saltenv']) ?? 'base',
      });
      if (out.ok) return out.data;
      return { result: false, comment: out.error };
    },
  },
  source_list: {
    doc: "Check the source list and return the source to use\n\nOf a list of sources (strings, or ``{source: hash}`` dicts), the first that\nexists on the file server or the minion, with its hash.\n\nCLI Example:\n\n    salt '*' file.source_list salt://http/httpd.conf '{hash_type: 'md5', 'hsum': <md5sum>}' base",
    params: ['source', 'source_hash', 'saltenv'],
    fn: (ctx, a) => sourceList(ctx, a['source'], a['source_hash'], str(a['saltenv']) ?? 'base'),
  },
};
