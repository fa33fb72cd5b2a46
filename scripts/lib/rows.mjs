// A bench figure as one table row. `scope` says what a run re-measures at
// once (a section, or `swarm:<N>`): the report replaces rows by scope.

/**
 * @param scope   section name, or `swarm:<N>` for one swarm size
 * @param figure  what was measured, with its unit where the value has none
 * @param value   the figure as printed
 * @param target  the target as printed, or '-'
 * @param met     true / false when there is a target, undefined otherwise
 */
export const row = (scope, figure, value, target = '-', met = undefined) => ({ scope, figure, value, target, met });

export const metText = (met) => (met === undefined ? '-' : met ? 'yes' : 'NO');

/** Milliseconds as printed in the table: whole ms. */
export const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : 'n/a');
/** Seconds as printed: two decimals. */
export const sec = (x) => (Number.isFinite(x) ? `${x.toFixed(2)} s` : 'n/a');
/** MB as printed: whole MB. */
export const mb = (x) => (Number.isFinite(x) ? `${x.toFixed(0)} MB` : 'n/a');
/** A count with thousands separators. */
export const num = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
