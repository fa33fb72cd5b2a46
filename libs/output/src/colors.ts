/** Salt's default colour theme (salt/utils/color.py), the codes nested uses. */
export interface Colors {
  LIGHT_YELLOW: string;
  GREEN: string;
  CYAN: string;
  RED: string;
  ENDC: string;
}

const ON: Colors = {
  LIGHT_YELLOW: '\x1b[1;33m',
  GREEN: '\x1b[0;32m',
  CYAN: '\x1b[0;36m',
  RED: '\x1b[0;31m',
  ENDC: '\x1b[0;0m',
};

const OFF: Colors = { LIGHT_YELLOW: '', GREEN: '', CYAN: '', RED: '', ENDC: '' };

export function getColors(color: boolean): Colors {
  return color ? ON : OFF;
}

// CSI sequences (colours, cursor moves): ESC [ params intermediates final.
const CSI = /\x1b\[[0-?]*[ -/]*[@-~]/g;

/** Removes ANSI escape sequences, e.g. to write coloured output to a file. */
export function stripColor(s: string): string {
  return s.replace(CSI, '');
}
