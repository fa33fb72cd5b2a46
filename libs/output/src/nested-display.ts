/**
 * Salt's NestDisplay (salt/output/nested.py): the default outputter.
 *
 *   web-1:
 *       ----------
 *       os:
 *           Debian
 *
 * Every line is `indent + colour + prefix + msg + ENDC + suffix`. Dict keys
 * are sorted; list items get `- `, and containers inside lists a `|_` line.
 */
import { getColors, type Colors } from './colors.js';
import { pyNumber, splitlines } from '@tsalt/core';

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Map);
}

function isContainer(v: unknown): boolean {
  return Array.isArray(v) || isDict(v) || v instanceof Map;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class NestDisplay {
  private readonly c: Colors;

  constructor(
    color: boolean,
    private readonly retcode: number = 0,
  ) {
    this.c = getColors(color);
  }

  private line(indent: number, color: string, msg: string, prefix = '', suffix = ''): string {
    return `${' '.repeat(indent)}${color}${prefix}${msg}${this.c.ENDC}${suffix}`;
  }

  display(ret: unknown, indent: number, prefix: string, out: string[]): string[] {
    let value = ret;
    if (value instanceof Uint8Array) {
      try {
        value = utf8.decode(value);
      } catch {
        return out; // undecodable bytes: Salt prints nothing for them either
      }
    }
    if (value instanceof Map) value = Object.fromEntries(value);
    if (value === null || value === undefined || typeof value === 'boolean') {
      const msg = value === true ? 'True' : value === false ? 'False' : 'None';
      out.push(this.line(indent, this.c.LIGHT_YELLOW, msg, prefix));
    } else if (typeof value === 'number' || typeof value === 'bigint') {
      out.push(
        this.line(indent, this.c.LIGHT_YELLOW, typeof value === 'number' ? pyNumber(value) : value.toString(), prefix),
      );
    } else if (typeof value === 'string') {
      splitlines(value).forEach((l, i) => {
        // continuation lines line up under the first line's text
        const linePrefix = i === 0 ? prefix : ' '.repeat(prefix.length);
        // Salt's strip_colors default: ESC becomes '?' so returned text cannot restyle the terminal
        out.push(this.line(indent, this.c.GREEN, l.replace(/\x1b/g, '?'), linePrefix));
      });
    } else if (Array.isArray(value)) {
      const color = this.retcode !== 0 ? this.c.RED : this.c.GREEN;
      for (const item of value) {
        if (isContainer(item)) {
          out.push(this.line(indent, color, '|_'));
          this.display(item, indent + 2, isDict(item) || item instanceof Map ? '' : '- ', out);
        } else {
          this.display(item, indent, '- ', out);
        }
      }
    } else if (isDict(value)) {
      const color = this.retcode !== 0 ? this.c.RED : this.c.CYAN;
      if (indent) out.push(this.line(indent, color, '----------'));
      for (const key of Object.keys(value).sort()) {
        out.push(this.line(indent, color, key, prefix, ':'));
        this.display(value[key], indent + 4, '', out);
      }
    }
    return out;
  }
}

/** Renders `data` as Salt's nested outputter does, without a trailing newline. */
export function nested(data: unknown, color: boolean, retcode: number, baseIndent = 0): string {
  return new NestDisplay(color, retcode).display(data, baseIndent, '', []).join('\n');
}
