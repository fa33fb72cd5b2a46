import { isRecord, pyStr } from '@tsalt/core';
import type { CommandExecutionError } from '@tsalt/loader';
import type { StateReturn } from '../types.js';

/**
 * Salt's `nested` outputter without colour, as its CommandExecutionError
 * uses it for the "Additional info follows" part: `key:` lines, `- item`
 * lists, four spaces per level.
 */
export function nestedText(v: unknown, indent = ''): string {
  const lines: string[] = [];
  const walk = (x: unknown, pad: string): void => {
    if (Array.isArray(x)) {
      for (const item of x) {
        if (isRecord(item) || Array.isArray(item)) {
          lines.push(`${pad}-`);
          walk(item, `${pad}    `);
        } else lines.push(`${pad}- ${pyStr(item).trim().replace(/\n/g, `\n${pad}  `)}`);
      }
    } else if (isRecord(x)) {
      if (!Object.keys(x).length) lines.push(`${pad}----------`);
      for (const [k, val] of Object.entries(x)) {
        if (isRecord(val) || Array.isArray(val)) {
          lines.push(`${pad}${k}:`);
          walk(val, `${pad}    `);
        } else lines.push(`${pad}${k}: ${pyStr(val)}`);
      }
    } else lines.push(`${pad}${pyStr(x)}`);
  };
  walk(v, indent);
  return lines.join('\n');
}

/** `<message>. Additional info follows:\n\n<nested info>`: Salt's CommandExecutionError text with info. */
export function withInfo(message: string, info: unknown): string {
  const head = message && !/[.?!]$/.test(message) ? `${message}.` : message;
  return `${head ? `${head} ` : ''}Additional info follows:\n\n${nestedText(info)}`;
}

/**
 * Salt's `strerror_without_changes`: a CommandExecutionError's text without
 * the `changes` of its info (a state reports those as its own changes).
 */
export function strerrorWithoutChanges(err: CommandExecutionError): string {
  const info = err.info;
  if (!info) return err.message;
  const rest = Object.fromEntries(Object.entries(info).filter(([k]) => k !== 'changes'));
  // The message is `<head> Additional info follows:...`; keep the head alone when changes were all there was.
  const head = err.message.split(' Additional info follows:')[0] ?? err.message;
  if (!Object.keys(rest).length) return head;
  return withInfo(head, rest);
}

/**
 * The ret pkg.installed, removed and purged make of a failed pkg.install or
 * remove, keys in Salt's order (name, result, changes, comment): the
 * changes that did happen, and the error without them.
 */
export function failedPkgRet(name: string, err: CommandExecutionError, otherwise: string): StateReturn {
  if (err.info)
    return {
      name,
      result: false,
      changes: (err.info['changes'] as Record<string, unknown> | undefined) ?? {},
      comment: strerrorWithoutChanges(err),
    };
  return { name, result: false, changes: {}, comment: `${otherwise}: ${err.message}` };
}
