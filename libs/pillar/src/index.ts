/**
 * @tsalt/pillar: Salt's pillar, compiled on the master for one minion at a
 * time: `pillar_roots` per environment, the top file (`state_top`) with
 * every match type, SLS files rendered through @tsalt/render with the
 * minion's grains, `include`, and Salt's merge of overlapping keys. A
 * broken SLS never throws: it becomes an entry of the pillar's `_errors`
 * (Salt's text) and a log line naming the file and line. See docs/pillar.md.
 *
 *   const compiler = new PillarCompiler(pillarOptions(opts), log);
 *   const pillar = await compiler.compile({ id: 'web1', grains, saltenv: null, pillarenv: null });
 *   pillar['_errors'];   // present only when something failed
 */
export { PillarCompiler, relativeSls, type PillarRequest } from './compile.js';
export {
  pillarOptions,
  normalizeRoots,
  normalizeNodegroups,
  rootsFor,
  topPath,
  type PillarOptions,
} from './options.js';
export { mergePillar, cloneData, type MergeStrategy, type MergeOptions } from './merge.js';
export {
  mergeTops,
  topMatches,
  type TopReadOptions,
  type TopMatchOptions,
  type TopEntry,
  type TopSource,
  type MergedTop,
  type MatchedSls,
} from './top.js';
export {
  PillarError,
  SlsMissingError,
  EnvMissingError,
  SlsRenderError,
  SlsNotDictError,
  BadIncludeError,
  BadTopError,
  type Place,
} from './errors.js';
