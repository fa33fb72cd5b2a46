import { definePlugin } from '@tsalt/loader';
import { optionsFromArgs } from '../options.js';
import { pyJsonDumps } from '../py-json.js';

export default definePlugin({
  name: 'json',
  doc: 'Display return data in JSON format, as Python json.dumps prints it.',
  functions: {
    output: {
      doc: 'Render data as JSON. Kwargs: indent (spaces, default 4; null or negative prints one line per return).',
      params: ['data'],
      varkw: true,
      fn: (_ctx, a) => pyJsonDumps(a['data'], optionsFromArgs(a).indent),
    },
  },
});
