/** Every target type tsalt understands (Salt's `tgt_type`). */
export type TargetType =
  | 'glob'
  | 'pcre'
  | 'list'
  | 'grain'
  | 'grain_pcre'
  | 'pillar'
  | 'pillar_pcre'
  | 'pillar_exact'
  | 'compound'
  /** Salt's compound with `I@` matched exactly (the mine's `_mine_get`). */
  | 'compound_pillar_exact'
  | 'ipcidr'
  | 'nodegroup';

export const TARGET_TYPES: readonly TargetType[] = [
  'glob',
  'pcre',
  'list',
  'grain',
  'grain_pcre',
  'pillar',
  'pillar_pcre',
  'pillar_exact',
  'compound',
  'compound_pillar_exact',
  'ipcidr',
  'nodegroup',
];

/** What a matcher may look at: the id, and grains/pillar when known. */
export interface MinionData {
  id: string;
  grains?: Record<string, unknown>;
  pillar?: Record<string, unknown>;
}

/** Options shared by every entry point. */
export interface TargetOptions {
  /**
   * Separator between key levels and value in grain/pillar targets.
   * Compound `G@` terms ignore it (they carry their own, as in Salt).
   * @default ':'
   */
  delimiter?: string;
  /** Master config `nodegroups:`: name to compound string or word list. */
  nodegroups?: Record<string, string | string[]>;
}

export const DEFAULT_DELIMITER = ':';
