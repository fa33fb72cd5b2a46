import type { MinionConfig } from '@tsalt/config';
import type { PluginFunction } from '@tsalt/loader';
import { definePlugin } from '@tsalt/loader';
import type { ModuleContext as PluginContext, ModuleServices } from '../context.js';
import { fnmatch, pyStr } from '@tsalt/core';

/** The registry a call runs in; the real Registry also exposes each function's spec. */
type RegistryWithSpec = PluginContext['registry'] & { spec?(fun: string): PluginFunction | undefined };

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

/** Salt's name matching in sysmod: `*` or `.` means a glob, a bare name means that module. */
function functionsMatching(ctx: PluginContext, patterns: string[]): string[] {
  if (patterns.length === 0) return ctx.registry.list();
  const names = new Set<string>();
  for (const p of patterns) for (const f of ctx.registry.list(p)) names.add(f);
  return [...names].sort();
}

function modulesMatching(ctx: PluginContext, patterns: string[]): string[] {
  const all = ctx.registry.list();
  const mods = new Set<string>();
  for (const f of all) {
    const mod = f.split('.')[0] ?? f;
    if (patterns.length === 0 || patterns.some((p) => (p.includes('*') ? fnmatch(f, p) : mod === p))) mods.add(mod);
  }
  return [...mods].sort();
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
      fn: (ctx, a) => {
        const patterns = strings(a['__args__']);
        if (patterns.length === 0) return ctx.registry.doc();
        const docs: Record<string, string> = {};
        for (const p of patterns) {
          // `sys.` means the sys module, like `sys`.
          const name = !p.includes('*') && p.endsWith('.') ? p.slice(0, -1) : p;
          if (!name) continue;
          Object.assign(docs, ctx.registry.doc(name));
        }
        return docs;
      },
    },
    list_functions: {
      doc: "List the functions for all modules. Optionally, specify a module or modules\nfrom which to list, or globs.\n\nCLI Example:\n\n    salt '*' sys.list_functions\n    salt '*' sys.list_functions sys\n    salt '*' sys.list_functions sys user\n    salt '*' sys.list_functions 'sys.list_*'",
      varargs: true,
      varkw: true, // Salt tolerates garbage kwargs here
      fn: (ctx, a) => functionsMatching(ctx, strings(a['__args__'])),
    },
    list_modules: {
      doc: "List the modules loaded on the minion, optionally matching globs.\n\nCLI Example:\n\n    salt '*' sys.list_modules\n    salt '*' sys.list_modules 's*'",
      varargs: true,
      fn: (ctx, a) => modulesMatching(ctx, strings(a['__args__'])),
    },
    list_returners: {
      doc: "List the returners loaded on the minion, optionally matching globs.\n\nCLI Example:\n\n    salt '*' sys.list_returners\n    salt '*' sys.list_returners 's*'",
      varargs: true,
      fn: (ctx, a) => {
        const patterns = strings(a['__args__']);
        const names = [...new Set(returnerNames(ctx))].sort();
        return patterns.length === 0 ? names : names.filter((n) => patterns.some((p) => fnmatch(n, p)));
      },
    },
    argspec: {
      doc: "Return the argument specification of functions in Salt execution modules.\n\nCLI Example:\n\n    salt '*' sys.argspec pkg.install\n    salt '*' sys.argspec sys\n    salt '*' sys.argspec 'pkg.*'",
      params: [{ name: 'module', default: '' }],
      fn: (ctx, a) => {
        const reg = ctx.registry as RegistryWithSpec;
        const mod = pyStr(a['module'] ?? '');
        const out: Record<string, unknown> = {};
        if (typeof reg.spec !== 'function') return out;
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
      },
    },
    reload_modules: {
      doc: "Tell the minion to reload the execution modules. tsalt loads its modules\nat start-up, so this only returns True.\n\nCLI Example:\n\n    salt '*' sys.reload_modules",
      fn: () => true,
    },
  },
});
