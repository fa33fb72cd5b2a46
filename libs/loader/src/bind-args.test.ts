import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindArgs } from './bind-args.js';
import { InvalidArgumentsError } from './errors.js';
import type { PluginFunction } from './types.js';

const echo: PluginFunction = { doc: 'Return a string', params: ['text'], fn: () => null };
const two: PluginFunction = { doc: 'Two', params: ['a', 'b', { name: 'c', default: 1 }], fn: () => null };

function reason(spec: PluginFunction, args: unknown[], kwargs: Record<string, unknown> = {}): string {
  try {
    bindArgs('test.echo', spec, args, kwargs);
  } catch (err) {
    assert.ok(err instanceof InvalidArgumentsError);
    return err.reason;
  }
  throw new Error('no error');
}

describe('bindArgs: Salt and Python wording for bad calls', () => {
  it('missing arguments', () => {
    assert.equal(reason(echo, []), "echo() missing 1 required positional argument: 'text'");
    assert.equal(reason(two, []), "echo() missing 2 required positional arguments: 'a' and 'b'");
  });
  it('too many positionals', () => {
    assert.equal(reason(echo, [1, 2]), 'echo() takes 1 positional argument but 2 were given');
    assert.equal(reason(two, [1, 2, 3, 4]), 'echo() takes from 2 to 3 positional arguments but 4 were given');
    assert.equal(reason({ doc: '', fn: () => null }, [1]), 'echo() takes 0 positional arguments but 1 was given');
  });
  it('multiple values', () => {
    assert.equal(reason(echo, ['a'], { text: 'b' }), "echo() got multiple values for argument 'text'");
  });
  it('unknown keywords: one line, before the call, as the minion refuses them', () => {
    try {
      bindArgs('test.echo', echo, ['a'], { x: 1, y: true });
      assert.fail('no error');
    } catch (err) {
      assert.ok(err instanceof InvalidArgumentsError);
      assert.equal(err.kind, 'kwargs');
      assert.equal(err.reason, 'The following keyword arguments are not valid: x=1, y=True');
      assert.equal(
        err.message,
        "ERROR executing 'test.echo': The following keyword arguments are not valid: x=1, y=True",
      );
    }
  });
  it("the minion's return carries the doc", () => {
    try {
      bindArgs('test.echo', echo, [], {});
      assert.fail('no error');
    } catch (err) {
      assert.ok(err instanceof InvalidArgumentsError);
      assert.equal(
        err.message,
        "Passed invalid arguments to test.echo: echo() missing 1 required positional argument: 'text'\nReturn a string",
      );
    }
  });
  it('__pub_ kwargs are dropped unless the function takes **kwargs', () => {
    assert.deepEqual(bindArgs('test.echo', echo, ['a'], { __pub_jid: '1' }), { text: 'a' });
  });
});
