import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createRequire } from 'node:module';
import type { Logger as PinoLogger, Level, StreamEntry } from 'pino';
import type * as PinoModule from 'pino';
import { clipFields, clipText, DEFAULT_LOG_MAX_CHARS, escapeControl } from './log-text.js';

type Pino = typeof PinoModule;
let pinoModule: Pino | undefined;
/**
 * pino loads on first use (about 35 ms here): the CLI commands print through
 * outputters and mostly never build a logger, and their start-up time counts.
 */
function loadPino(): Pino {
  pinoModule ??= createRequire(import.meta.url)('pino') as Pino;
  return pinoModule;
}

/** The structured logger every lib receives. It is pino's. */
export type Logger = PinoLogger;

/** Salt's level names, mapped onto pino's. `garbage`/`trace` are the same. */
const LEVELS: Record<string, Level | 'silent'> = {
  all: 'trace',
  garbage: 'trace',
  trace: 'trace',
  debug: 'debug',
  profile: 'debug',
  info: 'info',
  warning: 'warn',
  warn: 'warn',
  error: 'error',
  critical: 'fatal',
  quiet: 'silent',
};

export function toPinoLevel(level: string | undefined, fallback: Level = 'warn'): Level | 'silent' {
  if (!level) return fallback;
  return LEVELS[level.toLowerCase()] ?? fallback;
}

export interface LoggerOptions {
  /** Console level, Salt names (`warning`, `debug`, ...). @default warning */
  level?: string;
  /** Path of the log file; empty for none. */
  logFile?: string;
  /** File level, Salt names. @default warning */
  fileLevel?: string;
  /** Component name bound on every line. */
  name?: string;
  /**
   * The longest string (message or field) written in a line, UTF-16 units;
   * longer ones are cut with a `…[+N chars]` marker. 0 for no cap.
   * @default 500 (config `log_peer_max_chars`)
   */
  maxStringChars?: number;
}

const LABEL: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARNING',
  50: 'ERROR',
  60: 'CRITICAL',
};

/**
 * Console lines for people: `[LEVEL   ] msg key=value`, like Salt's console
 * log format. Control characters are escaped over the whole line, so a
 * peer's string holding a newline can never start a line of its own.
 */
function consoleStream(): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        try {
          const rec = JSON.parse(line) as Record<string, unknown>;
          const { level, msg, time: _t, pid: _p, hostname: _h, ...rest } = rec;
          const extras = Object.entries(rest)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          const label = (LABEL[level as number] ?? String(level)).padEnd(8);
          const text = `[${label}] ${typeof msg === 'string' ? msg : JSON.stringify(msg ?? '')}${extras ? ' ' + extras : ''}`;
          process.stderr.write(escapeControl(text) + '\n');
        } catch {
          process.stderr.write(escapeControl(line) + '\n');
        }
      }
      cb();
    },
  });
}

/** Builds the process logger: human lines on stderr, JSON lines in the log file. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const { pino } = loadPino();
  const consoleLevel = toPinoLevel(opts.level);
  const fileLevel = toPinoLevel(opts.fileLevel);
  const streams: StreamEntry[] = [];
  if (consoleLevel !== 'silent') streams.push({ level: consoleLevel, stream: consoleStream() });
  if (opts.logFile && fileLevel !== 'silent') {
    try {
      fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
      // Opened here, synchronously: a destination still opening when the
      // process exits makes pino's exit flush throw ("sonic boom is not ready").
      const fd = fs.openSync(opts.logFile, 'a', 0o600);
      streams.push({ level: fileLevel, stream: pino.destination({ dest: fd, sync: false }) });
    } catch {
      // An unwritable log file must not stop a daemon; the console still works.
    }
  }
  if (streams.length === 0) return pino({ level: 'silent' });
  const levels = streams.map((s) => pino.levels.values[s.level ?? 'warn'] ?? 40);
  const min = Object.entries(pino.levels.values).find(([, v]) => v === Math.min(...levels))?.[0] ?? 'warn';
  const max = opts.maxStringChars ?? DEFAULT_LOG_MAX_CHARS;
  return pino(
    {
      level: min,
      base: opts.name ? { component: opts.name } : {},
      // Every call passes through here, so no call site can forget to cap a
      // peer's string (an id, a cmd, an error quoting either).
      ...(max > 0 ? { hooks: { logMethod: clipArgs(max) } } : {}),
    },
    pino.multistream(streams),
  );
}

type LogMethod = (...args: unknown[]) => void;

function clipArgs(max: number): (this: PinoLogger, args: unknown[], method: LogMethod) => void {
  return function (args, method) {
    const clipped = args.map((a) => (typeof a === 'string' ? clipText(a, max) : clipFields(a, max)));
    method.apply(this, clipped);
  };
}

/** A logger that drops everything, for tests and library defaults. */
export function silentLogger(): Logger {
  return loadPino().pino({ level: 'silent' });
}
