import { pyRepr } from '@tsalt/core';
import { definePlugin } from '@tsalt/loader';
import type { ReturnerConfig, ReturnerServices } from '../context.js';

/*
 * local: Salt's returner for trying the returner interface. It prints the
 * return on the minion's stdout as Salt's `print(ret)` does (a Python repr
 * of the dict), and logs it at info so it shows in the minion's log file too.
 */

/** Where the line goes; tests swap it. */
export const localOutput = { write: (line: string): void => void process.stdout.write(line) };

export default definePlugin<ReturnerConfig, ReturnerServices>({
  name: 'local',
  doc: "Print the return data on the minion's console, to check the returner interface.\n\n    salt '*' test.ping --return local",
  functions: {
    returner: {
      doc: 'Print the return data to the terminal to verify functionality.',
      params: ['ret'],
      fn(ctx, { ret }) {
        const line = pyRepr(ret);
        localOutput.write(`${line}\n`);
        ctx.log.info({ returner: 'local' }, line);
      },
    },
  },
});
