import { definePlugin } from '@tsalt/loader';
import { pyYamlDump } from '../py-yaml.js';

export default definePlugin({
  name: 'yaml',
  doc: 'Display return data in YAML block style, as PyYAML safe_dump prints it.',
  functions: {
    output: {
      doc: 'Render data as block-style YAML with sorted keys.',
      params: ['data'],
      varkw: true,
      fn: (_ctx, a) => pyYamlDump(a['data']),
    },
  },
});
