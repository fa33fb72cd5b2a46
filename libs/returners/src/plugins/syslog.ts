import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import { definePlugin } from '@tsalt/loader';
import type { ReturnerConfig, ReturnerServices } from '../context.js';
import { ReturnerError } from '../errors.js';
import { isRecord } from '../format.js';
import { pyJsonDumps } from '../mysql/py-json.js';
import { optionInt, optionString, returnerOptions } from '../options.js';

/*
 * syslog: Salt's syslog_return. The JSON of each return goes to the local
 * syslog with `syslog.level` / `syslog.facility` / `syslog.tag` /
 * `syslog.options` (Python syslog names: LOG_INFO, LOG_USER, LOG_PID...).
 *
 * Node cannot open /dev/log (a unix datagram socket), so the local path runs
 * util-linux `logger`, the message on its stdin (never in argv, where `ps`
 * would show it). tsalt additions: `syslog.host` (+ `syslog.port`, 514)
 * sends RFC 3164 over UDP instead, with no `logger` needed; `syslog.socket`
 * names another local socket than /dev/log.
 */

// Python's syslog module constants (severity numbers; facility numbers are code * 8 in Python).
const LEVELS: Record<string, number> = {
  LOG_EMERG: 0,
  LOG_ALERT: 1,
  LOG_CRIT: 2,
  LOG_ERR: 3,
  LOG_WARNING: 4,
  LOG_NOTICE: 5,
  LOG_INFO: 6,
  LOG_DEBUG: 7,
};
const FACILITIES: Record<string, number> = {
  LOG_KERN: 0,
  LOG_USER: 1,
  LOG_MAIL: 2,
  LOG_DAEMON: 3,
  LOG_AUTH: 4,
  LOG_SYSLOG: 5,
  LOG_LPR: 6,
  LOG_NEWS: 7,
  LOG_UUCP: 8,
  LOG_CRON: 9,
  LOG_AUTHPRIV: 10,
  LOG_LOCAL0: 16,
  LOG_LOCAL1: 17,
  LOG_LOCAL2: 18,
  LOG_LOCAL3: 19,
  LOG_LOCAL4: 20,
  LOG_LOCAL5: 21,
  LOG_LOCAL6: 22,
  LOG_LOCAL7: 23,
};
const OPTIONS = new Set(['LOG_PID', 'LOG_CONS', 'LOG_NDELAY', 'LOG_ODELAY', 'LOG_NOWAIT', 'LOG_PERROR']);
/** Salt's limit on the tag (ident), characters. */
const MAX_TAG = 32;
/** A UDP datagram's payload limit over IPv4, bytes. */
const MAX_UDP = 65_507;
/** How long `logger` may take before the return is reported as failed, ms. */
const LOGGER_TIMEOUT_MS = 10_000;
const LOGGER_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin'];

const DEFAULTS = {
  level: 'LOG_INFO',
  facility: 'LOG_USER',
  tag: 'salt-minion',
  options: [] as unknown,
  host: null,
  port: 514,
  socket: null,
};

export interface SyslogSettings {
  level: number;
  facility: number;
  /** `user.info`, as `logger -p` takes it. */
  priority: string;
  tag: string;
  pid: boolean;
  stderr: boolean;
  host?: string;
  port: number;
  socket?: string;
}

function loggerBin(): string | undefined {
  return LOGGER_DIRS.map((d) => `${d}/logger`).find((p) => fs.existsSync(p));
}

/** Salt's `_verify_options`, then the numbers: a bad name is an error naming the key. */
export function syslogSettings(opts: Readonly<Record<string, unknown>>, ret?: unknown): SyslogSettings {
  const o = returnerOptions(opts, 'syslog', DEFAULTS, isRecord(ret) ? ret : undefined);
  const level = String(o.level);
  const facility = String(o.facility);
  if (LEVELS[level] === undefined) throw new ReturnerError('SYSLOG_OPTION', `${level} is not a valid syslog level`);
  if (FACILITIES[facility] === undefined)
    throw new ReturnerError('SYSLOG_OPTION', `${facility} is not a valid syslog facility`);
  const list = o.options === null ? [] : Array.isArray(o.options) ? o.options : [o.options];
  for (const opt of list) {
    if (typeof opt !== 'string' || !OPTIONS.has(opt))
      throw new ReturnerError('SYSLOG_OPTION', `${String(opt)} is not a valid syslog option`);
  }
  if (typeof o.tag !== 'string') throw new ReturnerError('SYSLOG_OPTION', 'tag must be a string');
  if (o.tag.length > MAX_TAG) throw new ReturnerError('SYSLOG_OPTION', `tag size is limited to ${MAX_TAG} characters`);
  const s: SyslogSettings = {
    level: LEVELS[level],
    facility: FACILITIES[facility],
    priority: `${facility.slice(4).toLowerCase()}.${level.slice(4).toLowerCase()}`,
    tag: o.tag,
    pid: list.includes('LOG_PID'),
    stderr: list.includes('LOG_PERROR'),
    port: optionInt(o.port, 514),
  };
  const host = optionString(o.host);
  if (host) s.host = host;
  const socket = optionString(o.socket);
  if (socket) s.socket = socket;
  return s;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** One RFC 3164 line: `<PRI>Mmm dd hh:mm:ss host tag[pid]: msg`, local time, day padded with a space. */
export function rfc3164(
  s: SyslogSettings,
  msg: string,
  now = new Date(),
  host = os.hostname().split('.')[0] ?? 'localhost',
): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${MONTHS[now.getMonth()]} ${String(now.getDate()).padStart(2, ' ')} ${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
  return `<${s.facility * 8 + s.level}>${stamp} ${host} ${s.tag}${s.pid ? `[${process.pid}]` : ''}: ${msg}`;
}

async function sendUdp(s: SyslogSettings, msg: string): Promise<void> {
  const payload = Buffer.from(rfc3164(s, msg));
  if (payload.length > MAX_UDP)
    throw new ReturnerError('SYSLOG_SEND', `the return is too large for one syslog datagram (${payload.length} bytes)`);
  const sock = dgram.createSocket(s.host!.includes(':') ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) =>
      sock.send(payload, s.port, s.host, (err) => (err ? reject(err) : resolve())),
    );
  } catch (err) {
    throw new ReturnerError(
      'SYSLOG_SEND',
      `could not send to syslog at ${s.host}:${s.port}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  } finally {
    sock.close();
  }
  if (s.stderr) process.stderr.write(`${s.tag}: ${msg}\n`);
}

function runLogger(s: SyslogSettings, msg: string): Promise<void> {
  const bin = loggerBin();
  if (!bin)
    return Promise.reject(
      new ReturnerError(
        'SYSLOG_SEND',
        'the logger command (util-linux) is not installed; set syslog.host to send over UDP',
      ),
    );
  const args = ['--socket-errors=on', '-t', s.tag, '-p', s.priority, '--size', String(Buffer.byteLength(msg) + 1024)];
  if (s.pid) args.push(`--id=${process.pid}`);
  if (s.stderr) args.push('-s');
  if (s.socket) args.push('-u', s.socket);
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), LOGGER_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new ReturnerError('SYSLOG_SEND', `could not run logger: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(
          new ReturnerError(
            'SYSLOG_SEND',
            `logger failed (${signal ?? `exit ${code}`}): ${err.trim().split('\n').pop() ?? ''}`,
          ),
        );
    });
    child.stdin.on('error', () => undefined); // a logger that died early reports through 'close'
    child.stdin.end(`${msg}\n`);
  });
}

export default definePlugin<ReturnerConfig, ReturnerServices>({
  name: 'syslog',
  doc: "Return data to the host's syslog (syslog.level, syslog.facility, syslog.tag, syslog.options), through util-linux logger, or over UDP to syslog.host:syslog.port.",
  virtual(ctx) {
    if (loggerBin() || optionString(ctx.opts['syslog.host'])) return true;
    return 'Could not load syslog returner: the logger command (util-linux) is not installed and syslog.host is not set.';
  },
  functions: {
    returner: {
      doc: 'Return data to the local syslog: the JSON of the return, one message.',
      params: ['ret'],
      async fn(ctx, { ret }) {
        const s = syslogSettings(ctx.opts, ret);
        const msg = pyJsonDumps(ret);
        await (s.host ? sendUdp(s, msg) : runLogger(s, msg));
      },
    },
  },
});
