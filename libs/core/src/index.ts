/**
 * @tsalt/core: what every lib shares. The structured logger (pino), the base
 * error class with a stable `code`, small filesystem helpers, and process
 * liveness from /proc (a pid written to a file: is its writer still alive?).
 *
 *   const log = createLogger({ level: 'info', name: 'master' });
 *   throw new TsaltError('BAD_THING', 'what was wrong');
 */
export { TsaltError, errorLine } from './errors.js';
export { createLogger, silentLogger, toPinoLevel, type Logger, type LoggerOptions } from './logger.js';
export { writeFileAtomic, writeFileAtomicAsync, readIfExists, ATOMIC_TMP_SUFFIX_MAX_BYTES } from './fs-util.js';
export { escapeControl, clipText, clipFields, peerText, DEFAULT_LOG_MAX_CHARS } from './log-text.js';
export { fnmatch, fnmatchRegExp } from './fnmatch.js';
export { pyRepr, pyStr, pyNumber, splitlines } from './py-repr.js';
export { pidIsAlive, pidIsLiveSince, processStartMs, readProcStat, parseProcStat, type ProcStat } from './process.js';
export { Slots } from './slots.js';
export { LogThrottle } from './log-throttle.js';
export { isRecord } from './is-record.js';
