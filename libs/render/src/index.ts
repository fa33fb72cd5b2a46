/**
 * @tsalt/render: Salt's render pipeline, for every kind of SLS (reactor,
 * pillar, state) and for templates of managed files. The file's `#!` line
 * (`#!jinja|yaml`, `#!yaml`, `#!json`...) or the `renderer` option
 * (`jinja|yaml` by default) names the renderers, run in that order. Jinja
 * speaks Salt's dialect: Python methods (`data['id'].endswith('_x')`,
 * `data.items()`), `%` and `.format()`, Salt's filters. See docs/render.md.
 *
 *   // A reactor SLS: tag and data, rendered on the event's turn.
 *   const high = renderFileSync('/srv/reactor/auth.sls', { context: { tag, data, opts }, label: 'reactor SLS' });
 *
 *   // A state or pillar SLS: grains, pillar and the minion's functions.
 *   const data = await renderFile(path, {
 *     context: { grains, pillar, opts, saltenv: 'base', sls: 'web.nginx' },
 *     salt: { has: (f) => loader.has(f), call: (f, args, kwargs) => loader.call(f, args, kwargs) },
 *   });
 *
 *   // A managed file's template: Jinja only, text out.
 *   const text = await render(source, { file: 'salt://motd', renderer: 'jinja', context: { grains } });
 *
 * Errors are RenderError subclasses with a stable `code` and `line` when known.
 */
export {
  render,
  renderSync,
  renderCompiled,
  renderCompiledSync,
  compileSource,
  parsePipeline,
  splitShebang,
  RENDERERS,
  DEFAULT_RENDERER,
  type RendererName,
  type RenderContext,
  type RenderOptions,
  type CompiledSource,
} from './pipeline.js';
export { renderFile, renderFileSync, compileFile, type RenderFileOptions } from './files.js';
export { saltFunctions, type SaltFunctions } from './salt.js';
export { Constant } from './jinja/template.js';
export { resolveTemplateName, type TemplateLoader, type TemplateSource } from './jinja/imports.js';
export { parseYaml, parseJson } from './data.js';
export {
  RenderError,
  RenderReadError,
  JinjaRenderError,
  YamlRenderError,
  JsonRenderError,
  UnknownRendererError,
  PipelineError,
  SaltCallError,
} from './errors.js';
