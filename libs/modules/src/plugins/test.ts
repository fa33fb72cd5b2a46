import crypto from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { MinionConfig } from '@tsalt/config';
import { definePlugin, pyTruthy } from '@tsalt/loader';
import { pyRepr, pyStr } from '@tsalt/core';
import type { ModuleServices } from '../context.js';
import { ModuleError, TestException } from '../errors.js';
import { tsaltVersion, versionsInformation, versionsReport } from '../version.js';

/** Python type names, for `test.arg_type`. */
function pyType(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

function toNumber(v: unknown, what: string): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n))
    throw new ModuleError('INVALID_ARGUMENT', `${what} must be a number, got ${JSON.stringify(v)}`);
  return n;
}

/** Salt's `hashutils.random_hash`: the hex digest of a random integer in [1, size]. */
function randomHash(size: unknown, hashType: unknown): string {
  const max = Math.trunc(toNumber(size, 'size'));
  if (max < 1) throw new ModuleError('INVALID_ARGUMENT', 'size must be at least 1');
  const algo = pyStr(hashType ?? 'sha256');
  if (!crypto.getHashes().includes(algo)) throw new ModuleError('INVALID_ARGUMENT', `Invalid hash type '${algo}'`);
  const n = 1 + crypto.randomInt(Math.min(max, 2 ** 48 - 1));
  return crypto.createHash(algo).update(String(n)).digest('hex');
}

/** Salt's `test` execution module: connectivity and plumbing checks. */
export default definePlugin<MinionConfig, ModuleServices>({
  name: 'test',
  doc: 'Module for running arbitrary tests',
  functions: {
    ping: {
      doc: "Used to make sure the minion is up and responding. Not an ICMP ping.\n\nReturns ``True``.\n\nCLI Example:\n\n    salt '*' test.ping",
      fn: () => true,
    },
    echo: {
      doc: "Return a string - used for testing the connection\n\nCLI Example:\n\n    salt '*' test.echo 'foo bar baz quo qux'",
      params: ['text'],
      fn: (_ctx, a) => a['text'],
    },
    version: {
      doc: "Return the version of tsalt on the minion\n\nCLI Example:\n\n    salt '*' test.version",
      fn: () => tsaltVersion(),
    },
    versions_report: {
      doc: "Returns versions of components used by tsalt\n\nCLI Example:\n\n    salt '*' test.versions_report",
      fn: () => versionsReport(),
    },
    versions_information: {
      doc: "Report the versions of dependent software, as a dict\n\nCLI Example:\n\n    salt '*' test.versions_information",
      fn: () => versionsInformation(),
    },
    sleep: {
      doc: "Instruct the minion to initiate a process that will sleep for a given\nperiod of time (seconds, fractions allowed). ``fixed`` is accepted for\ncompatibility and has no effect.\n\nCLI Example:\n\n    salt '*' test.sleep 20",
      params: ['length', { name: 'fixed', default: false }],
      fn: async (_ctx, a) => {
        const s = toNumber(a['length'], 'length');
        await delay(Math.max(0, s) * 1000);
        return true;
      },
    },
    rand_sleep: {
      doc: "Sleep for a random number of whole seconds between 0 and ``max``, used to\ntest long-running commands and minions returning at differing intervals\n\nCLI Example:\n\n    salt '*' test.rand_sleep 60",
      params: [{ name: 'max', default: 60 }],
      fn: async (_ctx, a) => {
        const max = Math.floor(toNumber(a['max'], 'max'));
        await delay(Math.floor(Math.random() * (Math.max(0, max) + 1)) * 1000);
        return true;
      },
    },
    arg: {
      doc: 'Print out the data passed into the function ``*args`` and ``kwargs``, this\nis used to both test the publication data and cli argument passing, but\nalso to display the information available within the publication data.\n\nReturns {"args": args, "kwargs": kwargs}.\n\nCLI Example:\n\n    salt \'*\' test.arg 1 "two" 3.1 txt="hello" wow=\'{a: 1, b: "hello"}\'',
      varargs: true,
      varkw: true,
      fn: (_ctx, a) => ({ args: a['__args__'], kwargs: a['__kwargs__'] }),
    },
    arg_clean: {
      doc: 'Like test.arg but cleans kwargs of the __pub* items\n\nCLI Example:\n\n    salt \'*\' test.arg_clean 1 "two" 3.1 txt="hello"',
      varargs: true,
      varkw: true,
      fn: (_ctx, a) => ({
        args: a['__args__'],
        kwargs: Object.fromEntries(
          Object.entries(a['__kwargs__'] as Record<string, unknown>).filter(([k]) => !k.startsWith('__')),
        ),
      }),
    },
    arg_type: {
      doc: "Print out the types of the args and kwargs. This is used to test the types\nof the args and kwargs passed down to the minion\n\nCLI Example:\n\n    salt '*' test.arg_type 1 'int'",
      varargs: true,
      varkw: true,
      fn: (_ctx, a) => {
        const ret: Record<string, unknown[]> = {};
        for (const v of a['__args__'] as unknown[]) (ret[pyType(v)] ??= []).push(v);
        return ret;
      },
    },
    kwarg: {
      doc: 'Print out the data passed into the function ``**kwargs``, this is used to\nboth test the publication data and cli kwarg passing, but also to display\nthe information available within the publication data.\n\nCLI Example:\n\n    salt \'*\' test.kwarg num=1 txt="two"',
      varkw: true,
      fn: (_ctx, a) => a['__kwargs__'],
    },
    retcode: {
      doc: "Test that the returncode system is functioning correctly\n\nCLI Example:\n\n    salt '*' test.retcode 42",
      params: [{ name: 'code', default: 42 }],
      fn: (ctx, a) => {
        // The CLI yamlifies `42`; an API caller may send the string.
        const n = Number(a['code']);
        ctx.context['retcode'] = Number.isFinite(n) ? n : a['code'];
        return true;
      },
    },
    fib: {
      doc: "Return the num-th Fibonacci number, and the time it took to compute in\nseconds. Used for performance tests.\n\nCLI Example:\n\n    salt '*' test.fib 3",
      params: ['num'],
      fn: (_ctx, a) => {
        const num = Math.trunc(toNumber(a['num'], 'num'));
        if (num < 0) throw new ModuleError('INVALID_ARGUMENT', 'Negative number is not allowed!');
        const start = performance.now();
        let prev = 0;
        let curr = num < 2 ? num : 1;
        for (let i = 1; i < num; i++) [prev, curr] = [curr, prev + curr];
        return [curr, (performance.now() - start) / 1000];
      },
    },
    exception: {
      doc: "Raise an exception\n\nOptionally provide an error message or output the full stack.\n\nCLI Example:\n\n    salt '*' test.exception 'Oh noes!'",
      params: [{ name: 'message', default: 'Test Exception' }],
      fn: (_ctx, a) => {
        throw new TestException(String(a['message']));
      },
    },
    outputter: {
      doc: "Test the outputter, pass in data to return\n\nCLI Example:\n\n    salt '*' test.outputter foobar",
      params: ['data'],
      fn: (_ctx, a) => a['data'],
    },
    true: {
      doc: "Always return True\n\nCLI Example:\n\n    salt '*' test.true",
      fn: () => true,
    },
    false: {
      doc: "Always return False\n\nCLI Example:\n\n    salt '*' test.false",
      fn: () => false,
    },
    random_hash: {
      doc: "Generates a random number between 1 and ``size``, then returns a hash of\nthat number. If no ``hash_type`` is passed, the ``hash_type`` specified by the\nMinion's :conf_minion:`hash_type` config option is used.\n\nCLI Example:\n\n    salt '*' test.random_hash\n    salt '*' test.random_hash hash_type=sha512",
      params: [
        { name: 'size', default: 9999999999 },
        { name: 'hash_type', default: null },
      ],
      fn: (ctx, a) => randomHash(a['size'], a['hash_type'] ?? ctx.opts.hash_type),
    },
    rand_str: {
      doc: "This function has been renamed to test.random_hash; it stays for\nbackwards compatibility.\n\nCLI Example:\n\n    salt '*' test.rand_str",
      params: [
        { name: 'size', default: 9999999999 },
        { name: 'hash_type', default: null },
      ],
      fn: (ctx, a) => randomHash(a['size'], a['hash_type'] ?? ctx.opts.hash_type),
    },
    get_opts: {
      doc: "Return the configuration options passed to this minion\n\nCLI Example:\n\n    salt '*' test.get_opts",
      fn: (ctx) => ctx.opts,
    },
    collatz: {
      doc: "Execute the collatz conjecture from the passed starting number,\nreturns the sequence and the time it took to compute. Used for\nperformance tests.\n\nCLI Example:\n\n    salt '*' test.collatz 3",
      params: ['start'],
      fn: (_ctx, a) => {
        let n = Math.trunc(toNumber(a['start'], 'start'));
        if (n < 1) throw new ModuleError('INVALID_ARGUMENT', 'start must be a positive integer');
        const begin = performance.now();
        const steps: number[] = [];
        while (n !== 1) {
          steps.push(n);
          n = n % 2 === 0 ? n / 2 : n * 3 + 1;
        }
        return [steps, (performance.now() - begin) / 1000];
      },
    },
    assertion: {
      doc: "Assert the given argument\n\nCLI Example:\n\n    salt '*' test.assertion False",
      params: ['assertion'],
      fn: (_ctx, a) => {
        if (!pyTruthy(a['assertion'])) throw new TestException('AssertionError');
        return true;
      },
    },
    arg_repr: {
      doc: 'Print out the data passed into the function ``*args`` and ``kwargs``, this\nis used to both test the publication data and cli argument passing, but\nalso to display the information available within the publication data.\n\nReturns {"args": repr(args), "kwargs": repr(kwargs)}.\n\nCLI Example:\n\n    salt \'*\' test.arg_repr 1 "two" 3.1 txt="hello" wow=\'{a: 1, b: "hello"}\'',
      varargs: true,
      varkw: true,
      fn: (_ctx, a) => {
        const args = (a['__args__'] as unknown[]).map((v) => pyRepr(v));
        return {
          args: `(${args.join(', ')}${args.length === 1 ? ',' : ''})`,
          kwargs: pyRepr(a['__kwargs__']),
        };
      },
    },
    cross_test: {
      doc: "Execute a minion function via the __salt__ object in the test\nmodule, used to verify that the minion functions can be called\nvia the __salt__ module.\n\nCLI Example:\n\n    salt '*' test.cross_test file.gid_to_group 0",
      params: ['func', { name: 'args', default: null }],
      fn: (ctx, a) => ctx.call(String(a['func']), Array.isArray(a['args']) ? a['args'] : []),
    },
    not_loaded: {
      doc: "List the modules that were not loaded by the loader system\n\nCLI Example:\n\n    salt '*' test.not_loaded",
      fn: (ctx) => Object.keys(ctx.registry.missing()).sort(),
    },
  },
});
