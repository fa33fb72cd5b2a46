/**
 * An unauthenticated flood on a master's request port, in a process of its
 * own so the test's (or the bench's) event loop stays free to time pings:
 *
 *   node test/dist/flood.js <address> <kind> <connections> <frames per connection, 0: until killed>
 *
 * Kinds: `big` legal 5 MB clear maps, `medium` 60 KB clear maps (under
 * max_clear_request_size), `random` random bytes of 1..4096. Replies are read
 * and thrown away. Prints `{"sent": N}` on stdout when done.
 */
import { randomBytes } from 'node:crypto';
import { Dealer } from 'zeromq';
import { encode } from '@msgpack/msgpack';

/** A legal clear request of about `bytes` bytes: one wide map of small entries, dear to decode. */
function clearMap(bytes: number): Buffer {
  const pad: Record<string, string> = {};
  for (let i = 0; i * 24 < bytes; i++) pad[`key-${i}`] = `value-${i}`;
  return Buffer.from(encode({ enc: 'clear', load: { cmd: '_auth', id: 'flood', pad } }));
}

function frameSource(kind: string): () => Buffer {
  if (kind === 'big') {
    const b = clearMap(5 * 1024 * 1024);
    return () => b;
  }
  if (kind === 'medium') {
    const b = clearMap(60 * 1024);
    return () => b;
  }
  if (kind === 'random') return () => randomBytes(1 + Math.floor(Math.random() * 4096));
  throw new Error(`unknown flood kind ${kind}`);
}

async function connection(address: string, next: () => Buffer, frames: number): Promise<number> {
  const sock = new Dealer({ linger: 0, sendHighWaterMark: 100, receiveHighWaterMark: 100 });
  sock.connect(address);
  const drain = (async () => {
    try {
      for await (const _ of sock) void _;
    } catch {
      // Closed.
    }
  })();
  let sent = 0;
  try {
    while (frames === 0 || sent < frames) {
      // REQ framing (empty delimiter, payload) or a bare DEALER frame: the master takes both.
      await sock.send(sent % 2 ? [Buffer.alloc(0), next()] : [next()]);
      sent++;
      // zeromq.js resolves sends at once while its queue has room: a turn of the loop now and then lets SIGTERM in.
      if (sent % 16 === 0) await new Promise<void>((r) => setImmediate(r));
    }
  } finally {
    sock.close();
    await drain;
  }
  return sent;
}

const [address, kind = 'random', conns = '1', frames = '0'] = process.argv.slice(2);
if (!address) throw new Error('usage: flood.js <address> <kind> <connections> <frames>');
const next = frameSource(kind);
process.on('SIGTERM', () => process.exit(0));
const counts = await Promise.all(
  Array.from({ length: Number(conns) }, () => connection(address, next, Number(frames))),
);
process.stdout.write(`${JSON.stringify({ sent: counts.reduce((a, b) => a + b, 0) })}\n`);
