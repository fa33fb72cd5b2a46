import { isRecord, pyRepr, pyStr } from '@tsalt/core';

/*
 * Salt's State.verify_high: the shape checks run on the high data before it
 * is compiled, each problem one of Salt's error strings. Requisites are not
 * looked up here (the runner reports a missing one at run time, as Salt).
 */

export type Dict = Record<string, unknown>;

/** The requisites whose value verify_high wants to be a list. */
const LIST_REQS = new Set(['require', 'watch', 'prereq', 'onchanges']);

/** `body['__sls__']` as Salt formats it into a message. */
export function slsOf(body: unknown): string {
  return isRecord(body) ? pyStr(body['__sls__'] ?? null) : 'None';
}

export function verifyHigh(high: unknown): string[] {
  const errors: string[] = [];
  if (!isRecord(high)) return ['High data is not a dictionary and is invalid'];
  // ID -> {state, <target id>: <requisite kind>}: the requisites seen so far, for the recursion check.
  const reqs = new Map<string, Map<string, string>>();
  for (const [name, body] of Object.entries(high)) {
    if (name.startsWith('__')) continue;
    if (!isRecord(body)) {
      errors.push(`The type ${name} in ${pyStr(body)} is not formatted as a dictionary`);
      continue;
    }
    const sls = slsOf(body);
    for (const [state, decl] of Object.entries(body)) {
      if (state.startsWith('__')) continue;
      if (decl === null || decl === undefined) {
        errors.push(
          `ID '${name}' in SLS '${sls}' contains a short declaration (${state}) with a trailing colon. ` +
            'When not passing any arguments to a state, the colon must be omitted.',
        );
        continue;
      }
      if (!Array.isArray(decl)) {
        errors.push(`State '${name}' in SLS '${sls}' is not formed as a list`);
        continue;
      }
      let funs = state.includes('.') ? 1 : 0;
      for (const arg of decl) {
        if (typeof arg === 'string') {
          funs++;
          if (arg.trim().includes(' '))
            errors.push(
              `The function "${arg}" in state "${name}" in SLS "${sls}" has whitespace, a function with ` +
                'whitespace is not supported, perhaps this is an argument that is missing a ":"',
            );
        } else if (isRecord(arg)) {
          const keys = Object.keys(arg);
          const first = keys[0];
          if (first === undefined) continue;
          if (first === 'names' && !Array.isArray(arg[first]))
            errors.push(`The 'names' argument in state '${name}' in SLS '${sls}' needs to be formed as a list`);
          if (LIST_REQS.has(first)) {
            const value = arg[first];
            if (!Array.isArray(value)) {
              errors.push(`The ${first} statement in state '${name}' in SLS '${sls}' needs to be formed as a list`);
            } else {
              const mine = new Map<string, string>([['state', state]]);
              reqs.set(name, mine);
              for (let req of value) {
                if (typeof req === 'string') req = { id: req };
                if (!isRecord(req)) {
                  errors.push(
                    `Requisite declaration ${pyStr(req)} in SLS ${sls} is not formed as a single key dictionary`,
                  );
                  continue;
                }
                const reqKey = Object.keys(req)[0];
                if (reqKey === undefined) continue;
                const reqVal = req[reqKey];
                if (reqKey.includes('.'))
                  errors.push(
                    `Invalid requisite type '${reqKey}' in state '${name}', in SLS '${sls}'. Requisite types must ` +
                      `not contain dots, did you mean '${reqKey.slice(0, reqKey.indexOf('.'))}'?`,
                  );
                if (typeof reqVal === 'object' && reqVal !== null) {
                  errors.push(`Illegal requisite "${pyRepr(reqVal)}", please check your syntax.\n`);
                  continue;
                }
                const target = pyStr(reqVal);
                mine.set(target, reqKey);
                // Two states of one module requiring each other by id: Salt's compile-time recursion check.
                const theirs = reqs.get(target);
                if (theirs?.get(name) === state && theirs.get('state') === reqKey)
                  errors.push(`A recursive requisite was found, SLS "${sls}" ID "${name}" ID "${target}"`);
              }
            }
            if (keys.length !== 1)
              errors.push(`Multiple dictionaries defined in argument of state '${name}' in SLS '${sls}'`);
          }
        }
      }
      if (!funs) {
        if (state === 'require' || state === 'watch') continue;
        errors.push(`No function declared in state '${name}' in SLS '${sls}'`);
      } else if (funs > 1) {
        const names = state.includes('.') ? [state.slice(state.indexOf('.') + 1)] : [];
        for (const arg of decl) if (typeof arg === 'string') names.push(arg);
        errors.push(
          `Too many functions declared in state '${name}' in SLS '${sls}'. Please choose one of the following: ` +
            names.join(', '),
        );
      }
    }
  }
  return errors;
}
