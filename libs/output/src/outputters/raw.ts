import { definePlugin } from '@tsalt/loader';
import { pyStr } from '@tsalt/core';

export default definePlugin({
  name: 'raw',
  doc: "Display the raw data structure, as Python's str() prints it.",
  functions: {
    output: {
      doc: "Render data as a Python literal: {'web-1': True}. A string prints as it is.",
      params: ['data'],
      varkw: true,
      fn: (_ctx, a) => pyStr(a['data']),
    },
  },
});
