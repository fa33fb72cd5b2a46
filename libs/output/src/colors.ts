/**
 * Salt's default colour theme (salt/utils/color.py), the codes nested and
 * highstate use. Salt's TextFormat puts a reset (0) before every code, so a
 * bold colour is `0;1;33`, not `1;33`.
 */
export interface Colors {
  LIGHT_YELLOW: string;
  LIGHT_RED: string;
  GREEN: string;
  CYAN: string;
  RED: string;
  ENDC: string;
}

const ON: Colors = {
  LIGHT_YELLOW: '\x1b[0;1;33m',
  LIGHT_RED: '\x1b[0;1;31m',
  GREEN: '\x1b[0;32m',
  CYAN: '\x1b[0;36m',
  RED: '\x1b[0;31m',
  ENDC: '\x1b[0;0m',
};

const OFF: Colors = { LIGHT_YELLOW: '', LIGHT_RED: '', GREEN: '', CYAN: '', RED: '', ENDC: '' };

export function getColors(color: boolean): Colors {
  return color ? ON : OFF;
}

// CSI sequences (colours, cursor moves): ESC [ params intermediates final.
const CSI = /\x1b\[[0-?]*[ -/]*[@-~]/g;

/** Removes ANSI escape sequences, e.g. to write coloured output to a file. */
export function stripColor(s: string): string {
  return s.replace(CSI, '');
}
