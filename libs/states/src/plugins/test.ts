import { definePlugin, SaltInvocationError, type BoundArgs } from '@tsalt/loader';
import type { MinionConfig } from '@tsalt/config';
import { chunkTag, type RequisiteRef, type StateContext, type StateReturn, type StateServices } from '../types.js';
import { isTest, stateRet, text } from '../sys/state-ret.js';

/** The pretend change Salt's test states report. */
const CHANGE_DATA = { testing: { old: 'Unchanged', new: 'Something pretended to change' } };

const NAME_DOC = "\n\nname\n    A unique string to serve as the state's ID";

/** Salt's `kwargs.get("comment", default)`: only a comment the SLS gave replaces the default. */
function commentOr(a: BoundArgs, dflt: string): string {
  const c = a['comment'];
  return c === undefined ? dflt : text(c);
}

/** Python's `random.choice((True, False))`. */
function coin(): boolean {
  return Math.random() < 0.5;
}

function configurable(ctx: StateContext, a: BoundArgs): StateReturn {
  const name = text(a['name']);
  const { changes, result, warnings } = a;
  const comment = a['comment'] === null || a['comment'] === undefined ? '' : text(a['comment']);
  const ret = stateRet(name, false, comment);
  if (changes === true) ret.changes = structuredClone(CHANGE_DATA);
  else if (changes !== false) {
    if (String(changes).toLowerCase() !== 'random')
      throw new SaltInvocationError(
        "You have specified the state option 'changes' with invalid arguments. It must be either True, False, or 'Random'",
      );
    if (coin()) ret.changes = structuredClone(CHANGE_DATA);
  }
  if (typeof result === 'boolean') ret.result = result;
  else if (String(result).toLowerCase() === 'random') ret.result = coin();
  else
    throw new SaltInvocationError(
      "You have specified the state option 'result' with invalid arguments. It must be either True, False, or 'Random'",
    );
  if (typeof warnings === 'string') ret['warnings'] = [warnings];
  else if (Array.isArray(warnings)) ret['warnings'] = warnings;
  else if (warnings !== null && warnings !== undefined)
    throw new SaltInvocationError(
      "You have specified the state option 'warnings' with invalid arguments. It must be a string or a list of strings",
    );
  if (isTest(ctx)) {
    ret.result = changes === false ? true : null;
    ret.comment = comment || 'This is a test';
  }
  return ret;
}

/** Whether a watch ref (`{test: id}`) names this result: by state, then id or name, as Salt's requisite lookup. */
function refMatches(ref: RequisiteRef, tag: string, r: { __id__: string; name: string }): boolean {
  return Object.entries(ref).some(
    ([state, target]) => tag.startsWith(`${state}_|-`) && (r.__id__ === target || r.name === target),
  );
}

/**
 * The watched states that changed, `<state>: <id>`: Salt reads them from
 * `__low__['__reqs__']['watch']`; without those the chunk's `watch` refs
 * are matched against the results so far.
 */
function watchedWithChanges(ctx: StateContext): string[] {
  const run = ctx.services.run;
  if (!run) return [];
  const out: string[] = [];
  const reqs = (run.chunk['__reqs__'] as { watch?: unknown[] } | undefined)?.watch;
  if (Array.isArray(reqs)) {
    for (const req of reqs as { state: string; __id__: string; name: string; fun: string }[]) {
      const r = run.running[chunkTag(req)];
      if (r && Object.keys(r.changes).length) out.push(`${req.state}: ${req.__id__}`);
    }
    return out;
  }
  for (const ref of run.chunk.watch ?? [])
    for (const [tag, r] of Object.entries(run.running))
      if (refMatches(ref, tag, r) && Object.keys(r.changes).length) {
        const label = `${tag.split('_|-')[0] ?? ''}: ${r.__id__}`;
        if (!out.includes(label)) out.push(label);
      }
  return out;
}

/**
 * Salt's `test` state module: states that succeed or fail on demand, with
 * or without changes, for trying requisites and outputters.
 */
export default definePlugin<MinionConfig, StateServices>({
  name: 'test',
  doc: 'Test States: provide test case states that enable easy testing of things to do with state calls, e.g. running, calling, logging, output filtering etc.',
  functions: {
    nop: {
      doc: `A no-op state that does nothing. Useful in conjunction with the \`\`use\`\`\nrequisite, or in templates which could otherwise be empty due to jinja\nrendering.${NAME_DOC}`,
      params: ['name'],
      varkw: true,
      fn: (_ctx, a) => stateRet(text(a['name']), true, 'Success!'),
    },
    succeed_without_changes: {
      doc: `Returns successful${NAME_DOC}`,
      params: ['name', { name: 'comment', default: undefined }],
      varkw: true,
      fn: (_ctx, a) => stateRet(text(a['name']), true, commentOr(a, 'Success!')),
    },
    fail_without_changes: {
      doc: `Returns failure${NAME_DOC}`,
      params: ['name', { name: 'comment', default: undefined }],
      varkw: true,
      fn: (ctx, a) => {
        const ret = stateRet(text(a['name']), false, commentOr(a, 'Failure!'));
        if (isTest(ctx)) ret.comment = "If we weren't testing, this would be a failure!";
        return ret;
      },
    },
    succeed_with_changes: {
      doc: `Returns \`\`True\`\` with an non-empty \`\`changes\`\` dictionary. Useful for\ntesting requisites.${NAME_DOC}`,
      params: ['name', { name: 'comment', default: undefined }],
      varkw: true,
      fn: (ctx, a) => {
        const ret = stateRet(text(a['name']), true, commentOr(a, 'Success!'), structuredClone(CHANGE_DATA));
        if (isTest(ctx)) {
          ret.result = null;
          ret.comment = "If we weren't testing, this would be successful with changes";
        }
        return ret;
      },
    },
    fail_with_changes: {
      doc: `Returns \`\`False\`\` with an non-empty \`\`changes\`\` dictionary. Useful for\ntesting requisites.${NAME_DOC}`,
      params: ['name', { name: 'comment', default: undefined }],
      varkw: true,
      fn: (ctx, a) => {
        const ret = stateRet(text(a['name']), false, commentOr(a, 'Failure!'), structuredClone(CHANGE_DATA));
        if (isTest(ctx)) {
          ret.result = null;
          ret.comment = "If we weren't testing, this would be failed with changes";
        }
        return ret;
      },
    },
    configurable_test_state: {
      doc: `A configurable test state which allows for more control over the return\ndata${NAME_DOC}\n\nchanges : True\n    True, False or "Random": whether the state reports changes.\n\nresult : True\n    True, False or "Random". In test mode the result is None when result\n    and changes are both True.\n\ncomment : ""\n    Comment field field for the state.\n\nwarnings\n    A string (or a list of strings) to fill the warnings field with.`,
      params: [
        'name',
        { name: 'changes', default: true },
        { name: 'result', default: true },
        { name: 'comment', default: '' },
        { name: 'warnings', default: null },
      ],
      fn: configurable,
    },
    show_notification: {
      doc: `Simple notification using text argument.${NAME_DOC}\n\ntext\n    Text to return in the comment field`,
      params: ['name', { name: 'text', default: null }],
      varkw: true,
      fn: (_ctx, a) => {
        if (!a['text']) throw new SaltInvocationError('Missing required argument text.');
        return stateRet(text(a['name']), true, text(a['text']));
      },
    },
    mod_watch: {
      doc: 'Call this function via a watch statement\n\nAny parameters in the state return dictionary can be customized by adding\nthe keywords ``result``, ``comment``, and ``changes``.',
      params: [
        'name',
        { name: 'sfun', default: null },
        { name: 'result', default: undefined },
        { name: 'comment', default: undefined },
        { name: 'changes', default: undefined },
      ],
      varkw: true,
      fn: (ctx, a): StateReturn => ({
        name: text(a['name']),
        result: a['result'] === undefined ? true : (a['result'] as boolean | null),
        comment: a['comment'] === undefined ? 'Watch statement fired.' : text(a['comment']),
        changes:
          a['changes'] === undefined
            ? { 'Requisites with changes': watchedWithChanges(ctx) }
            : (a['changes'] as Record<string, unknown>),
      }),
    },
  },
});
