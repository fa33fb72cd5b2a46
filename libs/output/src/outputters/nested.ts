import { definePlugin } from '@tsalt/loader';
import { nested } from '../nested-display.js';
import { optionsFromArgs } from '../options.js';

export default definePlugin({
  name: 'nested',
  doc: 'Recursively display nested data: the default outputter for most execution functions.',
  functions: {
    output: {
      doc: 'Render data as indented key/value blocks. Kwargs: color (bool), retcode (non-zero prints containers red).',
      params: ['data'],
      varkw: true,
      fn: (_ctx, a) => {
        const o = optionsFromArgs(a);
        return nested(a['data'], o.color, o.retcode);
      },
    },
  },
});
