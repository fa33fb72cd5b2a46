/**
 * @tsalt/targeting: Salt's target matching, both stages.
 *
 *   validateTarget('web* and G@os:Debian', 'compound');            // before publishing
 *   checkMinions('web*', 'glob', acceptedIds, { data: cacheLookup }); // master: whom to wait for
 *   matchMinion(load.tgt, load.tgt_type, { id, grains, pillar });    // minion: do I run this?
 */
export { matchMinion, checkMinions, validateTarget, type CheckMinionsOptions } from './target.js';
export { expandNodegroup, resolveNodegroups } from './nodegroup.js';
export { TargetError } from './errors.js';
export { TARGET_TYPES, type TargetType, type MinionData, type TargetOptions } from './types.js';
