export { createLogger, errorLine } from '@tsalt/core';

export function isRecordLike(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
