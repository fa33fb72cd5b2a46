import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeCommand,
  encodeFrame,
  encodeGreeting,
  encodeReady,
  FLAG_COMMAND,
  FLAG_LONG,
  FLAG_MORE,
  FrameReader,
  parseCommand,
  parseGreeting,
  parseProperties,
  ZmtpProtocolError,
} from './codec.js';
import { formatTcpAddress, parseTcpAddress } from './address.js';

test('our greeting is 64 bytes: signature, 3.0, NULL zero-padded, as-server 0, filler zeros', () => {
  const g = encodeGreeting();
  assert.equal(g.length, 64);
  assert.equal(g[0], 0xff);
  assert.equal(g[9], 0x7f);
  assert.deepEqual([g[10], g[11]], [3, 0]);
  assert.equal(g.subarray(12, 16).toString('latin1'), 'NULL');
  assert.ok(g.subarray(16, 64).every((b) => b === 0));
  assert.deepEqual(parseGreeting(g), { major: 3, minor: 0 });
});

test("a peer's greeting must be ZMTP >= 3 with NULL; a libzmq 3.1 one passes", () => {
  const g31 = encodeGreeting();
  g31[11] = 1;
  assert.deepEqual(parseGreeting(g31), { major: 3, minor: 1 });
  const bad = (mutate: (g: Buffer) => void): void => {
    const g = encodeGreeting();
    mutate(g);
    assert.throws(() => parseGreeting(g), ZmtpProtocolError);
  };
  bad((g) => (g[0] = 0x00));
  bad((g) => (g[9] = 0x00));
  bad((g) => (g[10] = 2));
  bad((g) => g.write('PLAIN', 12, 'latin1'));
  bad((g) => g.write('CURVE', 12, 'latin1'));
  bad((g) => (g[20] = 0x41));
  assert.throws(() => parseGreeting(Buffer.alloc(10)), ZmtpProtocolError);
});

test('frames: short form up to 255 bytes, long form (8-byte big-endian size) above', () => {
  const short = encodeFrame(Buffer.alloc(255, 7));
  assert.deepEqual([short[0], short[1], short.length], [0x00, 255, 257]);
  const long = encodeFrame(Buffer.alloc(256, 7));
  assert.equal(long[0], FLAG_LONG);
  assert.equal(long.readBigUInt64BE(1), 256n);
  assert.equal(long.length, 9 + 256);
  const r = new FrameReader(1000);
  const both = Buffer.concat([short, long, encodeFrame(Buffer.from('x'), FLAG_MORE)]);
  // Byte by byte: a frame is whole only when its last byte is in.
  const frames = [];
  for (let i = 0; i < both.length; i++) frames.push(...r.push(both.subarray(i, i + 1)));
  assert.deepEqual(
    frames.map((f) => [f.flags, f.body.length]),
    [
      [0, 255],
      [FLAG_LONG, 256],
      [FLAG_MORE, 1],
    ],
  );
  assert.equal(r.buffered, 0);
});

test('READY carries Socket-Type; properties are parsed with bounds, names case-insensitive', () => {
  const ready = encodeReady({ 'Socket-Type': 'PUB', Identity: '' });
  const [f] = new FrameReader(255).push(ready);
  assert.ok(f);
  assert.equal(f.flags, FLAG_COMMAND);
  const cmd = parseCommand(f.body);
  assert.equal(cmd.name, 'READY');
  const props = parseProperties(cmd.data);
  assert.equal(props.get('socket-type')?.toString(), 'PUB');
  assert.equal(props.get('identity')?.length, 0);
  // A value length past the end, a name past the end, a zero-length name.
  const data = Buffer.from(cmd.data);
  data.writeUInt32BE(1000, 12);
  assert.throws(() => parseProperties(data), ZmtpProtocolError);
  assert.throws(() => parseProperties(Buffer.from([40, 65])), ZmtpProtocolError);
  assert.throws(() => parseProperties(Buffer.from([0, 0, 0, 0, 0])), ZmtpProtocolError);
  assert.throws(() => parseCommand(Buffer.from([9, 65])), ZmtpProtocolError);
  assert.throws(() => parseCommand(Buffer.alloc(0)), ZmtpProtocolError);
  assert.equal(parseCommand(new FrameReader(255).push(encodeCommand('PING'))[0]?.body ?? Buffer.alloc(0)).name, 'PING');
});

test('a frame over the limit is refused from its header, before its body is buffered; reserved flags too', () => {
  const r = new FrameReader(300);
  assert.throws(() => r.push(Buffer.from([FLAG_LONG, 0, 0, 0, 0, 0, 0, 1, 0x2d])), ZmtpProtocolError);
  const huge = Buffer.alloc(9);
  huge[0] = FLAG_LONG;
  huge.writeBigUInt64BE(2n ** 63n, 1);
  assert.throws(() => new FrameReader(300).push(huge), ZmtpProtocolError);
  assert.throws(() => new FrameReader(100).push(Buffer.from([0, 200])), ZmtpProtocolError);
  assert.throws(() => new FrameReader(100).push(Buffer.from([0x08, 1, 1])), ZmtpProtocolError);
  assert.throws(() => new FrameReader(100).push(Buffer.from([FLAG_COMMAND | FLAG_MORE, 1, 1])), ZmtpProtocolError);
});

test('addresses: IPv4, [IPv6], * and an ephemeral port', () => {
  assert.deepEqual(parseTcpAddress('tcp://127.0.0.1:4505'), { host: '127.0.0.1', port: 4505 });
  assert.deepEqual(parseTcpAddress('tcp://[::]:4505'), { host: '::', port: 4505 });
  assert.deepEqual(parseTcpAddress('tcp://*:*'), { host: '0.0.0.0', port: 0 });
  assert.equal(formatTcpAddress({ host: '::1', port: 5 }), 'tcp://[::1]:5');
  assert.throws(() => parseTcpAddress('ipc:///tmp/x'), ZmtpProtocolError);
  assert.throws(() => parseTcpAddress('tcp://h:70000'), ZmtpProtocolError);
});
