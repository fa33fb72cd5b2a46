import { silentLogger, type Logger } from '@tsalt/core';

/** One logged call: its level and everything passed, as text (to search for secrets). */
export interface LogLine {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  text: string;
}

function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/**
 * A Logger that records every call (child loggers included) for tests:
 * `lines` gets `{level, text}` with the message and any bound fields.
 */
export function recordingLogger(lines: LogLine[] = []): Logger & { lines: LogLine[] } {
  const make = (bound: string): Logger => {
    const log = silentLogger();
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) {
      (log as unknown as Record<string, unknown>)[level] = (...args: unknown[]) => {
        lines.push({ level, text: [bound, ...args.map(show)].filter((s) => s !== '').join(' ') });
      };
    }
    (log as unknown as { child: unknown }).child = (fields: unknown) => make(`${bound} ${show(fields)}`.trim());
    return log;
  };
  return Object.assign(make(''), { lines });
}
