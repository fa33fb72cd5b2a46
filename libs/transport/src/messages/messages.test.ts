import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BadMessageError } from '../errors.js';
import { parseAuthLoad } from './auth-load.js';
import {
  parseAesHead,
  parseMinionEventLoad,
  parsePillarLoad,
  parsePresenceLoad,
  parseReturnLoad,
} from './aes-request.js';
import { parsePublishLoad, parsePublishRequest, parsePublishSerial } from './publish-load.js';
import { parseCommand, parseNonce } from './fields.js';
import { parsePublishReply } from './publish-reply.js';
import { FILE_COMMANDS, parseFileRequest } from './file-request.js';

/** Asserts a refusal naming `field`. */
function refuses(fn: () => unknown, field: string): void {
  assert.throws(
    fn,
    (err: unknown) => err instanceof BadMessageError && err.code === 'BAD_MESSAGE_FIELD' && err.field === field,
  );
}

describe('request port messages', () => {
  test('_auth: id and pub are required, nonce defaults to empty, token kept as bytes', () => {
    const tok = Buffer.from([0xff, 0x00]);
    assert.deepEqual(parseAuthLoad({ cmd: '_auth', id: 'm1', pub: 'PEM', token: tok }), {
      cmd: '_auth',
      id: 'm1',
      pub: 'PEM',
      nonce: '',
      token: tok,
    });
    refuses(() => parseAuthLoad({ id: '../etc', pub: 'PEM' }), 'id');
    refuses(() => parseAuthLoad({ id: 7, pub: 'PEM' }), 'id');
    refuses(() => parseAuthLoad({ id: 'm1' }), 'pub');
  });

  test('the nonce and cmd are read on their own', () => {
    assert.equal(parseNonce({ nonce: 'abc' }), 'abc');
    assert.equal(parseNonce({ nonce: 5 }), undefined);
    assert.deepEqual(parseCommand({ cmd: 5 }), { cmd: undefined, shown: '5' });
    assert.deepEqual(parseCommand({ cmd: 'x'.repeat(50) }).shown.length, 40);
  });

  test('AES head: a string cmd and a valid id; tok passed on as sent', () => {
    assert.deepEqual(parseAesHead({ cmd: '_return', id: 'm1', tok: 't' }), { cmd: '_return', id: 'm1', tok: 't' });
    refuses(() => parseAesHead({ cmd: 1, id: 'm1' }), 'cmd');
    refuses(() => parseAesHead({ cmd: '_return', id: '' }), 'id');
  });

  test('_return keeps every field but tok and nonce, and takes the checked id', () => {
    const r = parseReturnLoad(
      { cmd: '_return', id: 'other', jid: '1', return: true, tok: 't', nonce: 'n', out: 'nested' },
      'm1',
    );
    assert.deepEqual(r, { cmd: '_return', id: 'm1', jid: '1', return: true, out: 'nested' });
    refuses(() => parseReturnLoad({ jid: 1 }, 'm1'), 'jid');
  });

  test('_minion_event: a batch (entries without a tag skipped) or a single event; no tag is refused', () => {
    assert.deepEqual(
      parseMinionEventLoad({ events: [{ tag: 'a', data: 1 }, { data: 2 }, { tag: 'b', data: { x: 1 } }] }),
      {
        kind: 'batch',
        events: [
          { tag: 'a', data: { data: 1 } },
          { tag: 'b', data: { x: 1 } },
        ],
        pretag: undefined,
      },
    );
    assert.deepEqual(parseMinionEventLoad({ cmd: '_minion_event', tag: 't', data: 1, tok: 'x', pretag: 'p' }), {
      kind: 'single',
      tag: 't',
      fields: { cmd: '_minion_event', tag: 't', data: 1, pretag: 'p' },
      pretag: 'p',
    });
    refuses(() => parseMinionEventLoad({ tag: '' }), 'tag');
  });

  test('_presence', () => {
    assert.deepEqual(parsePresenceLoad({ leaving: true }), { leaving: true, interval: undefined });
    assert.deepEqual(parsePresenceLoad({ interval: 30 }), { leaving: false, interval: 30 });
  });

  test('_pillar: env is the old name of saltenv; a pillar_override that is not a mapping is ignored', () => {
    assert.deepEqual(parsePillarLoad({ env: 'dev', pillarenv: '', pillar_override: 'x', grains: [] }, 'm'), {
      id: 'm',
      tok: undefined,
      grains: undefined,
      saltenv: 'dev',
      pillarenv: null,
      pillarOverride: {},
      overrideIgnored: true,
    });
  });

  test('publish from a local client: defaults, and refusals naming fun and tgt', () => {
    assert.deepEqual(parsePublishRequest({ fun: 'test.ping', tgt: '*' }), {
      fun: 'test.ping',
      tgt: '*',
      tgt_type: 'glob',
      arg: [],
      jid: undefined,
      user: 'root',
      ret: '',
      kwargs: {},
    });
    refuses(() => parsePublishRequest({ tgt: '*' }), 'fun');
    refuses(() => parsePublishRequest({ fun: 'test.ping' }), 'tgt');
  });
});

describe('the publish load', () => {
  test("keeps Salt's extra fields, defaults tgt_type and arg", () => {
    const raw = { fun: 'test.ping', tgt: 'm1', jid: '1', kwargs: { a: 1 }, __pub_x: 2, serial: 3 };
    assert.deepEqual(parsePublishLoad(raw), { ...raw, arg: [], tgt_type: 'glob' });
    assert.equal(parsePublishSerial(raw), 3);
    assert.equal(parsePublishSerial({}), 0);
  });

  test('drops a mistyped user or delimiter, refuses a bad jid, tgt or fun', () => {
    const p = parsePublishLoad({ fun: ['a', 'b'], tgt: ['m1'], jid: '1', user: 5, delimiter: 1, serial: 'x' });
    assert.deepEqual(p, { fun: ['a', 'b'], tgt: ['m1'], jid: '1', arg: [], tgt_type: 'glob' });
    refuses(() => parsePublishLoad({ fun: 'f', tgt: 'm1' }), 'jid');
    refuses(() => parsePublishLoad({ fun: 'f', tgt: [1], jid: '1' }), 'tgt');
    refuses(() => parsePublishLoad({ tgt: 'm1', jid: '1' }), 'fun');
  });
});

describe('the publish reply', () => {
  test("a job, Salt's error form, or a refusal naming load", () => {
    assert.deepEqual(parsePublishReply({ enc: 'clear', load: { jid: '1', minions: ['a'], missing: [] } }), {
      kind: 'published',
      jid: '1',
      minions: ['a'],
      missing: [],
    });
    assert.deepEqual(parsePublishReply({ load: { error: { name: 'AuthenticationError', message: 'no' } } }), {
      kind: 'error',
      name: 'AuthenticationError',
      message: 'no',
    });
    refuses(() => parsePublishReply('bad load'), 'load');
  });
});

describe('parseFileRequest', () => {
  test('reads Salt file client fields; bad ones come out undefined, never a throw', () => {
    assert.ok(FILE_COMMANDS.has('_serve_file'));
    assert.deepEqual(
      parseFileRequest({ cmd: '_serve_file', path: 'a', saltenv: 'base', loc: 5, gzip: 1 }, '_serve_file'),
      {
        cmd: '_serve_file',
        saltenv: 'base',
        path: 'a',
        prefix: '',
        loc: 5,
        gzip: 1,
        envOnly: false,
      },
    );
    const bad = parseFileRequest({ path: 3, saltenv: 2024, loc: 1.5, gzip: 'x', prefix: ['p'] }, '_serve_file');
    assert.equal(bad.path, undefined);
    assert.equal(bad.saltenv, '2024');
    assert.equal(bad.loc, undefined);
    assert.equal(bad.gzip, undefined);
    assert.equal(bad.prefix, '');
    assert.equal(parseFileRequest({ saltenv: { a: 1 } }, '_file_list').saltenv, undefined);
  });
});
