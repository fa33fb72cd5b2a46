import type { MinionConfig } from '@tsalt/config';
import { definePlugin, type Param } from '@tsalt/loader';
import { append, prepend } from '../file/append.js';
import { directory } from '../file/directory.js';
import { blockreplace, comment, line, replace, uncomment } from '../file/edit.js';
import { managed } from '../file/managed.js';
import { absent, copy, symlink, touch } from '../file/misc.js';
import { exists, missing, rename } from '../file/presence.js';
import { hardlink } from '../file/hardlink.js';
import { recurse } from '../file/recurse.js';
import type { StateContext, StateReturn, StateServices } from '../types.js';

/** Optional parameters, each defaulting to undefined so a function tells "not given" from None. */
const opt = (...names: string[]): Param[] => names.map((name) => ({ name, default: undefined }));

/** The bound arguments as the function's argument object (every declared name is there). */
type Fn = (ctx: StateContext, a: never) => Promise<StateReturn>;
const call =
  (f: Fn) =>
  (ctx: StateContext, a: Record<string, unknown>): Promise<StateReturn> =>
    f(ctx, a as never);

/**
 * Salt's `file` state module: files, directories and links on the minion,
 * each function acting through the `file` execution module
 * (`ctx.services.salt`). The functions live in ../file/*.ts by theme.
 */
export default definePlugin<MinionConfig, StateServices>({
  name: 'file',
  doc: 'Operations on regular files, special files, directories, and symlinks',
  virtual: () => (process.platform === 'win32' ? 'The file state module is only available on POSIX systems' : true),
  functions: {
    managed: {
      doc: "Manage a given file, this function allows for a file to be downloaded from\nthe salt master and potentially run through a templating system.\n\nname\n    The location of the file to manage\nsource\n    salt://, a local path or file://, or a list of them (the first that exists)\nsource_hash\n    The hash of the source (`<type>=<hex>` or a bare digest)\nuser / group / mode\n    Ownership and mode (`keep` keeps the source's mode)\ntemplate\n    `jinja` renders the source (or contents) with `context` over `defaults`\nmakedirs / dir_mode\n    Make missing parent directories, with this mode\nreplace: True\n    False keeps an existing file's contents\nbackup\n    `minion` keeps the replaced file under <cachedir>/file_backup\nshow_changes: True\n    Put the diff in the changes\ncreate: True\n    False manages only an existing file\ncontents / contents_pillar / contents_grains\n    The file's contents, instead of a source",
      params: [
        'name',
        ...opt(
          'source',
          'source_hash',
          'source_hash_name',
          'keep_source',
          'user',
          'group',
          'mode',
          'attrs',
          'template',
          'makedirs',
          'dir_mode',
          'context',
          'replace',
          'defaults',
          'backup',
          'show_changes',
          'create',
          'contents',
          'tmp_dir',
          'tmp_ext',
          'contents_pillar',
          'contents_grains',
          'contents_newline',
          'contents_delimiter',
          'encoding',
          'encoding_errors',
          'allow_empty',
          'follow_symlinks',
          'check_cmd',
          'skip_verify',
          'owner',
          'file_mode',
        ),
      ],
      fn: call(managed),
    },
    directory: {
      doc: 'Ensure that a named directory is present and has the right perms\n\nname\n    The location to create or manage a directory\nuser / group\n    The owner\nrecurse\n    A list of `user`, `group`, `mode`, `ignore_files`, `ignore_dirs`, `silent`: set them on everything below\nmax_depth\n    How deep recurse goes\ndir_mode / file_mode\n    The modes of directories and (with recurse) files\nmakedirs: False\n    Make the missing parents\nclean: False\n    Remove what is not required (require) under the directory\nexclude_pat\n    What clean leaves alone (glob, or E@regex)\nforce / backupname / allow_symlink\n    What to do with a file or link in the way\nchildren_only: False\n    Leave the directory itself alone',
      params: [
        'name',
        ...opt(
          'user',
          'group',
          'recurse',
          'max_depth',
          'dir_mode',
          'file_mode',
          'makedirs',
          'clean',
          'require',
          'exclude_pat',
          'follow_symlinks',
          'force',
          'backupname',
          'allow_symlink',
          'children_only',
          'mode',
          'owner',
        ),
      ],
      fn: call(directory),
    },
    recurse: {
      doc: "Recurse through a subdirectory on the master and copy said subdirectory\nover to the specified path.\n\nname\n    The directory to set the recursion in\nsource\n    The salt:// directory (or a list of them: the first that exists)\nclean: False\n    Remove what the source does not have\nuser / group / dir_mode / file_mode\n    Ownership and modes (`file_mode: keep` keeps the sources' modes)\ntemplate / context / defaults\n    Render every file with the template engine\ninclude_empty: False\n    Make the source's empty directories too\ninclude_pat / exclude_pat\n    Which files (glob, or E@regex)\nmaxdepth\n    How deep to go in the source",
      params: [
        'name',
        'source',
        ...opt(
          'keep_source',
          'clean',
          'require',
          'user',
          'group',
          'dir_mode',
          'file_mode',
          'sym_mode',
          'template',
          'context',
          'replace',
          'defaults',
          'include_empty',
          'backup',
          'include_pat',
          'exclude_pat',
          'maxdepth',
          'keep_symlinks',
          'force_symlinks',
          'mode',
          'owner',
        ),
      ],
      fn: call(recurse),
    },
    absent: {
      doc: 'Make sure that the named file or directory is absent. If it exists, it will\nbe deleted. This will work to reverse any of the functions in the file\nstate module. If a directory is supplied, it will be recursively deleted.\n\nname\n    The path which should be deleted',
      params: ['name'],
      fn: call(absent),
    },
    symlink: {
      doc: "Create a symbolic link (symlink, soft link)\n\nname\n    The location of the symlink to create\ntarget\n    The location that the symlink points to\nforce: False\n    Replace a file or directory in the way (or a link to elsewhere)\nbackupname\n    Move what is in the way here first\nmakedirs: False\n    Make the missing parents\nuser / group\n    The link's owner (default: the minion's user and its group)\natomic: False\n    Replace through a rename",
      params: [
        'name',
        'target',
        ...opt(
          'force',
          'backupname',
          'makedirs',
          'user',
          'group',
          'mode',
          'atomic',
          'disallow_copy_and_unlink',
          'inherit_user_and_group',
          'owner',
        ),
      ],
      fn: call(symlink),
    },
    append: {
      doc: 'Ensure that some text appears at the end of a file.\n\nname\n    The file\ntext\n    A line or a list of lines; each not already in the file (whitespace aside) is appended\nmakedirs: False\n    Make the missing parents\nsource / sources\n    Templates to take the text from (template: jinja)\nignore_whitespace: True\n    Whitespace does not tell lines apart',
      params: [
        'name',
        ...opt(
          'text',
          'makedirs',
          'source',
          'source_hash',
          'template',
          'sources',
          'source_hashes',
          'defaults',
          'context',
          'ignore_whitespace',
        ),
      ],
      fn: call(append),
    },
    prepend: {
      doc: "Ensure that some text appears at the beginning of a file.\n\nname\n    The file\ntext\n    A line or a list of lines, each put at the top unless already in the file\nheader\n    Compare the file's first lines verbatim instead\nmakedirs / source / sources / template\n    As in file.append",
      params: [
        'name',
        ...opt(
          'text',
          'makedirs',
          'source',
          'source_hash',
          'template',
          'sources',
          'source_hashes',
          'defaults',
          'context',
          'header',
        ),
      ],
      fn: call(prepend),
    },
    line: {
      doc: 'Line-focused editing of a file.\n\nname\n    The file\ncontent\n    The line\nmatch / before / after / location\n    Where it goes\nmode\n    ensure, replace, delete or insert\nshow_changes: True\n    The diff in the changes\nbackup: False\n    Keep a dated copy\ncreate: False\n    Make the file when missing (user, group, file_mode)',
      params: [
        'name',
        ...opt(
          'content',
          'match',
          'mode',
          'location',
          'before',
          'after',
          'show_changes',
          'backup',
          'quiet',
          'indent',
          'create',
          'user',
          'group',
          'file_mode',
        ),
      ],
      fn: call(line),
    },
    replace: {
      doc: "Maintain an edit in a file.\n\nname\n    The file\npattern\n    A Python regular expression\nrepl\n    The replacement\ncount / flags / append_if_not_found / prepend_if_not_found / not_found_content / backup / show_changes / ignore_if_missing / backslash_literal\n    As the execution module's file.replace",
      params: [
        'name',
        'pattern',
        'repl',
        ...opt(
          'count',
          'flags',
          'bufsize',
          'append_if_not_found',
          'prepend_if_not_found',
          'not_found_content',
          'backup',
          'show_changes',
          'ignore_if_missing',
          'backslash_literal',
        ),
      ],
      fn: call(replace),
    },
    blockreplace: {
      doc: 'Maintain an edit in a file in a zone delimited by two line markers\n\nname\n    The file\nmarker_start / marker_end\n    The lines around the block\ncontent\n    The block (or source / sources, rendered with template, jinja by default)\nappend_if_not_found / prepend_if_not_found / insert_before_match / insert_after_match\n    Where a missing block goes\nbackup: .bak\nshow_changes: True\nappend_newline',
      params: [
        'name',
        ...opt(
          'marker_start',
          'marker_end',
          'source',
          'source_hash',
          'template',
          'sources',
          'source_hashes',
          'defaults',
          'context',
          'content',
          'append_if_not_found',
          'prepend_if_not_found',
          'backup',
          'show_changes',
          'append_newline',
          'insert_before_match',
          'insert_after_match',
        ),
      ],
      fn: call(blockreplace),
    },
    comment: {
      doc: 'Comment out specified lines in a file.\n\nname\n    The file\nregex\n    The lines to comment (a Python regular expression)\nchar: #\nbackup: .bak\nignore_missing: False\n    A pattern that is not there is not a failure',
      params: ['name', 'regex', ...opt('char', 'backup', 'ignore_missing')],
      fn: call(comment),
    },
    uncomment: {
      doc: 'Uncomment specified commented lines in a file\n\nname\n    The file\nregex\n    The lines to uncomment, without the comment character\nchar: #\nbackup: .bak',
      params: ['name', 'regex', ...opt('char', 'backup')],
      fn: call(uncomment),
    },
    touch: {
      doc: 'Replicate the \'nix "touch" command to create a new empty\nfile or update the atime and mtime of an existing file.\n\nname\n    The file\natime / mtime\n    Unix epoch times\nmakedirs: False\n    Make the missing parents',
      params: ['name', ...opt('atime', 'mtime', 'makedirs')],
      fn: call(touch),
    },
    copy: {
      doc: "If the file defined by the ``source`` option exists on the minion, copy it\nto the named path.\n\nname\n    The destination\nsource\n    The file or directory on the minion to copy\nforce: False\n    Overwrite what is there\nmakedirs: False\npreserve: False\n    Keep the source's owner and mode\nuser / group / mode / dir_mode\nsubdir: False\n    Copy into the directory `name`",
      params: [
        'name',
        'source',
        ...opt('force', 'makedirs', 'preserve', 'user', 'group', 'mode', 'dir_mode', 'subdir', 'owner'),
      ],
      fn: call(copy),
    },
    hardlink: {
      doc: 'Create a hard link\nIf the file already exists and is a hard link pointing to any location other\nthan the specified ``target``, the hard link will be replaced. If the hard\nlink is a regular file or directory then the state will return False. If\nthe regular file is desired to be replaced with a hard link pass force: True\n\nname\n    The location of the hard link to create\ntarget\n    The location that the hard link points to\nforce\n    If the name of the hard link exists and force is set to False, the\n    state will fail. If force is set to True, the file or directory in the\n    way of the hard link file will be deleted to make room for the hard\n    link, unless backupname is set, when it will be renamed\nmakedirs\n    If the location of the hard link does not already have a parent directory\n    then the state will fail, setting makedirs to True will allow Salt to\n    create the parent directory\nuser / group / dir_mode\n    For the directories made by makedirs',
      params: ['name', 'target', ...opt('force', 'makedirs', 'user', 'group', 'dir_mode', 'owner')],
      fn: call(hardlink),
    },
    exists: {
      doc: "Verify that the named file or directory is present or exists.\nEnsures pre-requisites outside of Salt's purview\n(e.g., keytabs, private keys, etc.) have been previously satisfied before\ndeployment.\n\nThis function does not create the file if it doesn't exist, it will return\nan error.\n\nname\n    Absolute path which must exist",
      params: ['name'],
      fn: call(exists),
    },
    missing: {
      doc: 'Verify that the named file or directory is missing, this returns True only\nif the named file is missing but does not remove the file if it is present.\n\nname\n    Absolute path which must NOT exist',
      params: ['name'],
      fn: call(missing),
    },
    rename: {
      doc: 'If the source file exists on the system, rename it to the named file. The\nnamed file will not be overwritten if it already exists unless the force\noption is set to True.\n\nname\n    The location of the file to rename to\nsource\n    The location of the file to move to the location specified with name\nforce: False\n    If the target location is present then the file will not be moved,\n    specify "force: True" to overwrite the target file\nmakedirs: False\n    If the target subdirectories don\'t exist create them',
      params: ['name', 'source', ...opt('force', 'makedirs')],
      fn: call(rename),
    },
  },
});
