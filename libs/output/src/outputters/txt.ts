import { definePlugin } from '@tsalt/loader';
import { isRecord, pyRepr, pyStr, splitlines } from '@tsalt/core';

/** Salt's txt outputter: `key: line` for each line, so shell output reads as it did on the minion. */
function txt(data: unknown): string {
  if (isRecord(data)) {
    const lines: string[] = [];
    for (const [key, value] of Object.entries(data)) {
      if (typeof value === 'string') for (const l of splitlines(value)) lines.push(`${key}: ${l}`);
      else lines.push(`${key}: ${pyStr(value)}`);
    }
    return lines.join('\n');
  }
  return typeof data === 'string' ? data : pyRepr(data);
}

export default definePlugin({
  name: 'txt',
  doc: 'Simple text outputter: makes command output read as it does on the minion.',
  functions: {
    output: {
      doc: 'Render a dict as "key: line" lines; anything else as text.',
      params: ['data'],
      varkw: true,
      fn: (_ctx, a) => txt(a['data']),
    },
  },
});
