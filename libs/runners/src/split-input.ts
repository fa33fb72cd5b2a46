/** Salt's `split_input`: a list as is, else a comma-separated string, items trimmed. */
export function splitInput(val: unknown): string[] {
  if (Array.isArray(val)) return val.map((v) => String(v));
  return String(val)
    .split(',')
    .map((x) => x.trim());
}
