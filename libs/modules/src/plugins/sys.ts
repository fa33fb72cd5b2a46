import type { MinionConfig } from '@tsalt/config';
import type { PluginFunction } from '@tsalt/loader';
import { definePlugin, Registry } from '@tsalt/loader';
import { statePlugins, type StateServices } from '@tsalt/states';
import type { ModuleContext as PluginContext, ModuleServices } from '../context.js';
import { fnmatch, pyStr } from '@tsalt/core';
import { RENDERERS } from '@tsalt/render';

/** The registry a call runs in; the real Registry also exposes each function's spec. */
type RegistryWithSpec = PluginContext['registry'] & { spec?(fun: string): PluginFunction | undefined };

function hasSpec(view: View): view is RegistryWithSpec & { spec(fun: string): PluginFunction | undefined } {
  return view !== undefined && 'spec' in view && typeof view.spec === 'function';
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

/** A registry to list: this call's own, or one the daemon injected (states, runners); none lists nothing. */
type View = PluginContext['registry'] | undefined;

/** The daemon's state registry, else this lib's state modules (what the `state.*` functions run). */
function stateView(ctx: PluginContext): View {
  return (
    ctx.services.registries?.state ??
    new Registry<MinionConfig, StateServices>({ kind: 'state', opts: ctx.opts, log: ctx.log }, statePlugins())
  );
}

/** Salt's name matching in sysmod: `*` or `.` means a glob, a bare name means that module. */
function functionsMatching(view: View, patterns: string[]): string[] {
  if (!view) return [];
  if (patterns.length === 0) return view.list();
  const names = new Set<string>();
  for (const p of patterns) for (const f of view.list(p)) names.add(f);
  return [...names].sort();
}

function modulesMatching(view: View, patterns: string[]): string[] {
  if (!view) return [];
  const all = view.list();
  const mods = new Set<string>();
  for (const f of all) {
    const mod = f.split('.')[0] ?? f;
    if (patterns.length === 0 || patterns.some((p) => (p.includes('*') ? fnmatch(f, p) : mod === p))) mods.add(mod);
  }
  return [...mods].sort();
}

function docsMatching(view: View, patterns: string[]): Record<string, string> {
  if (!view) return {};
  if (patterns.length === 0) return view.doc();
  const docs: Record<string, string> = {};
  for (const p of patterns) {
    // `sys.` means the sys module, like `sys`.
    const name = !p.includes('*') && p.endsWith('.') ? p.slice(0, -1) : p;
    if (name) Object.assign(docs, view.doc(name));
  }
  return docs;
}

/** Salt's `argspec`: `{fun: {args, defaults, varargs, kwargs}}`, None for what a function lacks. */
function argspecOf(view: View, module: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!hasSpec(view)) return out;
  const reg = view;
  const mod = pyStr(module ?? '');
  for (const fun of mod ? reg.list(mod) : reg.list()) {
    const spec = reg.spec(fun);
    if (!spec) continue;
    const params = spec.params ?? [];
    const defaults = params.filter((p) => typeof p !== 'string').map((p) => (p as { default: unknown }).default);
    out[fun] = {
      args: params.length ? params.map((p) => (typeof p === 'string' ? p : p.name)) : null,
      defaults: defaults.length ? defaults : null,
      varargs: spec.varargs ? true : null,
      kwargs: spec.varkw ? true : null,
    };
  }
  return out;
}

/** Names matching Salt's globs, or all of them. */
function namesMatching(names: readonly string[], patterns: string[]): string[] {
  const sorted = [...new Set(names)].sort();
  return patterns.length === 0 ? sorted : sorted.filter((n) => patterns.some((p) => fnmatch(n, p)));
}

function returnerNames(ctx: PluginContext): string[] {
  const fn = ctx.services.returnerNames;
  if (typeof fn !== 'function') return [];
  return strings(fn());
}

/** Salt's `sys` module: what this minion can do, and the docs for it. */
export default definePlugin<MinionConfig, ModuleServices>({
  name: 'sys',
  doc: 'The sys module provides information about the available functions on the minion',
  functions: {
    doc: {
      doc: "Return the docstrings for all modules. Optionally, specify a module or a\nnumber of modules to get the docstrings for just those modules, or a glob.\n\nCLI Example:\n\n    salt '*' sys.doc\n    salt '*' sys.doc sys\n    salt '*' sys.doc sys.doc\n    salt '*' sys.doc network.traceroute user.info\n    salt '*' sys.doc 'sys.*'",
      varargs: true,
      fn: (ctx, a) => docsMatching(ctx.registry, strings(a['__args__'])),
    },
    list_functions: {
      doc: "List the functions for all modules. Optionally, specify a module or modules\nfrom which to list, or globs.\n\nCLI Example:\n\n    salt '*' sys.list_functions\n    salt '*' sys.list_functions sys\n    salt '*' sys.list_functions sys user\n    salt '*' sys.list_functions 'sys.list_*'",
      varargs: true,
      varkw: true, // Salt tolerates garbage kwargs here
      fn: (ctx, a) => functionsMatching(ctx.registry, strings(a['__args__'])),
    },
    list_modules: {
      doc: "List the modules loaded on the minion, optionally matching globs.\n\nCLI Example:\n\n    salt '*' sys.list_modules\n    salt '*' sys.list_modules 's*'",
      varargs: true,
      fn: (ctx, a) => modulesMatching(ctx.registry, strings(a['__args__'])),
    },
    list_returners: {
      doc: "List the returners loaded on the minion, optionally matching globs.\n\nCLI Example:\n\n    salt '*' sys.list_returners\n    salt '*' sys.list_returners 's*'",
      varargs: true,
      fn: (ctx, a) => namesMatching(returnerNames(ctx), strings(a['__args__'])),
    },
    argspec: {
      doc: "Return the argument specification of functions in Salt execution modules.\n\nCLI Example:\n\n    salt '*' sys.argspec pkg.install\n    salt '*' sys.argspec sys\n    salt '*' sys.argspec 'pkg.*'",
      params: [{ name: 'module', default: '' }],
      fn: (ctx, a) => argspecOf(ctx.registry, a['module']),
    },
    list_state_modules: {
      doc: "List the modules loaded on the minion's state system.\n\nCLI Example:\n\n    salt '*' sys.list_state_modules\n    salt '*' sys.list_state_modules 'mysql_*'",
      varargs: true,
      fn: (ctx, a) => modulesMatching(stateView(ctx), strings(a['__args__'])),
    },
    list_state_functions: {
      doc: "List the functions for all state modules. Optionally, specify a state\nmodule or modules from which to list.\n\nCLI Example:\n\n    salt '*' sys.list_state_functions\n    salt '*' sys.list_state_functions file",
      varargs: true,
      varkw: true,
      fn: (ctx, a) => functionsMatching(stateView(ctx), strings(a['__args__'])),
    },
    state_doc: {
      doc: "Return the docstrings for all states. Optionally, specify a state or a\nnumber of states to get the docstrings for just those states.\n\nCLI Example:\n\n    salt '*' sys.state_doc\n    salt '*' sys.state_doc service",
      varargs: true,
      fn: (ctx, a) => docsMatching(stateView(ctx), strings(a['__args__'])),
    },
    state_argspec: {
      doc: "Return the argument specification of functions in Salt state modules.\n\nCLI Example:\n\n    salt '*' sys.state_argspec pkg.installed",
      params: [{ name: 'module', default: '' }],
      fn: (ctx, a) => argspecOf(stateView(ctx), a['module']),
    },
    list_runners: {
      doc: "List the runners loaded on the minion, optionally matching globs.\n\nCLI Example:\n\n    salt '*' sys.list_runners\n    salt '*' sys.list_runners 'm*'",
      varargs: true,
      fn: (ctx, a) => modulesMatching(ctx.services.registries?.runner, strings(a['__args__'])),
    },
    list_runner_functions: {
      doc: "List the functions for all runner modules. Optionally, specify a runner\nmodule or modules from which to list.\n\nCLI Example:\n\n    salt '*' sys.list_runner_functions\n    salt '*' sys.list_runner_functions state",
      varargs: true,
      varkw: true,
      fn: (ctx, a) => functionsMatching(ctx.services.registries?.runner, strings(a['__args__'])),
    },
    runner_doc: {
      doc: "Return the docstrings for all runners. Optionally, specify a runner or a\nfunction to narrow the selection.\n\nCLI Example:\n\n    salt '*' sys.runner_doc\n    salt '*' sys.runner_doc jobs",
      varargs: true,
      fn: (ctx, a) => docsMatching(ctx.services.registries?.runner, strings(a['__args__'])),
    },
    runner_argspec: {
      doc: "Return the argument specification of functions in Salt runner modules.\n\nCLI Example:\n\n    salt '*' sys.runner_argspec jobs",
      params: [{ name: 'module', default: '' }],
      fn: (ctx, a) => argspecOf(ctx.services.registries?.runner, a['module']),
    },
    list_renderers: {
      doc: "List the renderers loaded on the minion, optionally matching globs.\n\nCLI Example:\n\n    salt '*' sys.list_renderers\n    salt '*' sys.list_renderers 'yaml*'",
      varargs: true,
      fn: (_ctx, a) => namesMatching(RENDERERS, strings(a['__args__'])),
    },
    reload_modules: {
      doc: "Tell the minion to reload the execution modules. tsalt loads its modules\nat start-up, so this only returns True.\n\nCLI Example:\n\n    salt '*' sys.reload_modules",
      fn: () => true,
    },
  },
});
