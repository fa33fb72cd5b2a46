import { Interpreter, type JinjaEnvironment as Environment } from './lib.js';
import { EXTRA_FILTERS, extraFilter, type FilterHost } from './filters.js';
import { OVERRIDDEN_STRING_METHODS, percent, pythonMethod } from './py-methods.js';
import { entries, isNum, isObj, isStr, num, V, type RV } from './values.js';

/*
 * A subclass of the library's Interpreter that speaks more Python: extra
 * methods on str/dict/list, `%` formatting, Salt's filters. The library
 * declares its evaluate* methods private (TypeScript only: at runtime they
 * are ordinary prototype methods called through `this`), so the overrides
 * are installed on this subclass's prototype: the library itself and any
 * other user of it in the process are untouched.
 */

/** The AST nodes the overrides read (the library's types are not exported). */
interface Node {
  type: string;
  value?: unknown;
  computed?: boolean;
  object?: Node;
  property?: Node;
  operator?: { value: string };
  left?: Node;
  right?: Node;
  callee?: Node;
  args?: Node[];
  /** Set on the synthetic nodes that carry an already evaluated value. */
  rv?: RV;
}

interface Hooks {
  evaluate(node: Node | undefined, env: Environment): RV;
  evaluateMemberExpression(expr: Node, env: Environment): RV;
  evaluateBinaryExpression(node: Node, env: Environment): RV;
  applyFilter(operand: RV, filterNode: Node, env: Environment): RV;
  evaluateArguments(args: Node[], env: Environment): [RV[], Map<string, RV>];
  evaluateCallExpression(expr: Node, env: Environment): RV;
}

/** A node whose value is already known: lets extra filters call the library's filters with values. */
const VALUE_NODE = 'TsaltValue';

export class SaltInterpreter extends Interpreter {}

const base = Interpreter.prototype as unknown as Hooks;
const hooks = SaltInterpreter.prototype as unknown as Hooks;
const extraFilters = new Set<string>(EXTRA_FILTERS);

hooks.evaluate = function evaluate(this: Hooks, node: Node | undefined, env: Environment): RV {
  // The library evaluates absent nodes too (a slice's missing start): undefined passes through.
  if (node?.type === VALUE_NODE) return node.rv!;
  return base.evaluate.call(this, node, env);
};

hooks.evaluateMemberExpression = function evaluateMemberExpression(this: Hooks, expr: Node, env: Environment): RV {
  if (expr.computed || expr.property?.type !== 'Identifier') return base.evaluateMemberExpression.call(this, expr, env);
  // `obj.name`: the library's lookup, then the extra Python methods. Written out (not a call to
  // the base) so the object expression is evaluated once.
  const name = String(expr.property.value);
  const obj = this.evaluate(expr.object, env);
  if (isStr(obj) && OVERRIDDEN_STRING_METHODS.has(name)) return pythonMethod(obj, name)!;
  let value: RV | undefined;
  if (isObj(obj) || obj.type === 'NamespaceValue')
    value = entries(obj).get(name) ?? (isObj(obj) ? obj.builtins.get(name) : undefined);
  else value = obj.builtins.get(name);
  value ??= pythonMethod(obj, name);
  return value ?? new V.Undef(undefined);
};

hooks.evaluateBinaryExpression = function evaluateBinaryExpression(this: Hooks, node: Node, env: Environment): RV {
  if (node.operator?.value !== '%') return base.evaluateBinaryExpression.call(this, node, env);
  const left = this.evaluate(node.left, env);
  const right = this.evaluate(node.right, env);
  if (isStr(left)) return percent(left, right);
  if (isNum(left) && isNum(right)) {
    const a = Number(left.value);
    const b = Number(right.value);
    if (b === 0) throw new Error('ZeroDivisionError: modulo by zero');
    // Python's modulo takes the divisor's sign: -1 % 3 == 2.
    return num(a - b * Math.floor(a / b), left.type === 'FloatValue' || right.type === 'FloatValue');
  }
  throw new SyntaxError(`Unknown operator "%" between ${left.type} and ${right.type}`);
};

/** `salt['cmd.run']`, `data.id.endswith`: a callee as written, for an error message (undefined when not simple). */
function calleeText(node: Node | undefined): string | undefined {
  if (node?.type === 'Identifier') return String(node.value);
  if (node?.type !== 'MemberExpression') return undefined;
  const object = calleeText(node.object);
  const prop = node.property;
  if (object === undefined || prop === undefined) return undefined;
  if (!node.computed && prop.type === 'Identifier') return `${object}.${String(prop.value)}`;
  if (prop.type === 'StringLiteral') return `${object}['${String(prop.value)}']`;
  return undefined;
}

const NOT_CALLABLE = /^Cannot call something that is not a function: got (\w+)/;

hooks.evaluateCallExpression = function evaluateCallExpression(this: Hooks, expr: Node, env: Environment): RV {
  try {
    return base.evaluateCallExpression.call(this, expr, env);
  } catch (err) {
    // The library's message names no callee. The innermost failing call rewrites it first, so a
    // rewritten message passing through an outer call no longer matches.
    const m = err instanceof Error ? NOT_CALLABLE.exec(err.message) : null;
    const callee = calleeText(expr.callee);
    if (!m || callee === undefined) throw err;
    const what = m[1] === 'UndefinedValue' ? 'undefined' : `a ${m[1]!.replace(/Value$/, '').toLowerCase()}`;
    throw new TypeError(`${callee} is ${what}, not a function`, { cause: err });
  }
};

function filterCall(name: string, args: RV[]): Node {
  const callee: Node = { type: 'Identifier', value: name };
  if (args.length === 0) return callee;
  return { type: 'CallExpression', callee, args: args.map((rv) => ({ type: VALUE_NODE, rv })) };
}

hooks.applyFilter = function applyFilter(this: Hooks, operand: RV, filterNode: Node, env: Environment): RV {
  let name: string | undefined;
  let args: RV[] = [];
  let kwargs = new Map<string, RV>();
  if (filterNode.type === 'Identifier') name = String(filterNode.value);
  else if (filterNode.type === 'CallExpression' && filterNode.callee?.type === 'Identifier') {
    name = String(filterNode.callee.value);
    if (extraFilters.has(name)) [args, kwargs] = this.evaluateArguments(filterNode.args ?? [], env);
  }
  if (name !== undefined && extraFilters.has(name)) {
    const host: FilterHost = {
      apply: (n, op, a) => this.applyFilter(op, filterCall(n, a), env),
      tests: env.tests,
    };
    const out = extraFilter(name, operand, args, kwargs, host);
    if (out !== undefined) return out;
  }
  return base.applyFilter.call(this, operand, filterNode, env);
};
