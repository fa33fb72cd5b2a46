import { silentLogger, type Logger } from '@tsalt/core';

/** One logged call, as text: its level and every argument. */
export interface LogLine {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  text: string;
}

/** A Logger for this lib's tests that records each call (children included) in `lines`. */
export function recordingLogger(lines: LogLine[] = []): Logger {
  const make = (prefix: string): Logger => {
    const log = silentLogger();
    const target = log as unknown as Record<string, unknown>;
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) {
      target[level] = (...args: unknown[]) => {
        const parts = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)));
        lines.push({ level, text: [prefix, ...parts].filter(Boolean).join(' ') });
      };
    }
    target['child'] = (fields: unknown) => make(`${prefix} ${JSON.stringify(fields)}`.trim());
    return log;
  };
  return make('');
}
