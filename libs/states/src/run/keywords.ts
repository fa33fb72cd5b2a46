/*
 * The keys of a low chunk that belong to the state system, not to the
 * state function (Salt's STATE_INTERNAL_KEYWORDS): whoever turns a chunk
 * into a function call leaves these out of the keyword arguments, unless
 * the function names one as a parameter (`cmd.run` takes `onlyif`/`unless`
 * through its mod_run_check, mod_watch takes `sfun`).
 */

/** The requisites (Salt's STATE_REQUISITE_KEYWORDS). */
export const STATE_REQUISITE_KEYWORDS: readonly string[] = [
  'onchanges',
  'onchanges_any',
  'onfail',
  'onfail_any',
  'onfail_all',
  'onfail_stop',
  'prereq',
  'prerequired',
  'watch',
  'watch_any',
  'require',
  'require_any',
  'listen',
];

/** Their `_in` forms (Salt's STATE_REQUISITE_IN_KEYWORDS). */
export const STATE_REQUISITE_IN_KEYWORDS: readonly string[] = [
  'onchanges_in',
  'onfail_in',
  'prereq_in',
  'watch_in',
  'require_in',
  'listen_in',
];

/** Requisites, their `_in` forms and the runtime keys (Salt's three keyword sets together). */
export const STATE_INTERNAL_KEYWORDS: ReadonlySet<string> = new Set([
  ...STATE_REQUISITE_KEYWORDS,
  ...STATE_REQUISITE_IN_KEYWORDS,
  // runtime
  'fun',
  'state',
  'check_cmd',
  'cmd_opts_exclude',
  'failhard',
  'onlyif',
  'unless',
  'creates',
  'retry',
  'order',
  'parallel',
  'reload_modules',
  'reload_grains',
  'reload_pillar',
  'runas',
  'runas_password',
  'fire_event',
  'saltenv',
  'umask',
  'use',
  'use_in',
  '__env__',
  '__sls__',
  '__id__',
  '__orchestration_jid__',
  '__pub_user',
  '__pub_arg',
  '__pub_jid',
  '__pub_fun',
  '__pub_tgt',
  '__pub_ret',
  '__pub_pid',
  '__pub_tgt_type',
  '__prereq__',
  '__prerequired__',
  '__umask__',
]);
