import { renderFileSync, type Constant } from '@tsalt/render';

/** What a reactor SLS sees while rendering: Salt gives `tag` and `data`, a minimal `opts`, no grains or pillar. */
export interface RenderVars {
  tag: string;
  data: Record<string, unknown>;
  /** A Constant when the caller renders many times with the same options (converted once). */
  opts: Record<string, unknown> | Constant;
}

/**
 * Renders one reactor SLS through the shared pipeline (its `#!` line, else
 * `renderer`, Salt's `jinja|yaml` by default) and returns the data: `null`
 * when it renders to nothing (a false `{% if %}` around everything).
 * Synchronous: a reactor SLS calls no functions, and rendering on the
 * event's turn keeps a reaction's latency to the render itself.
 * @throws RenderError RENDER_READ, RENDER_JINJA, RENDER_YAML (with `line`), RENDER_UNKNOWN_RENDERER
 */
export function renderSls(file: string, vars: RenderVars, renderer?: string): unknown {
  return renderFileSync(file, {
    label: 'reactor SLS',
    ...(renderer === undefined ? {} : { renderer }),
    context: { tag: vars.tag, data: vars.data, opts: vars.opts, grains: {}, pillar: {}, saltenv: 'base', sls: file },
  });
}
