// The unauthenticated flood of the bench's `hostile` section, in a process
// of its own:   node hostile-flood.mjs tcp://127.0.0.1:<ret_port> [CONNS] [MB]
// CONNS (default 8) ZeroMQ DEALER connections each stream the same legal
// msgpack envelope, about MB (default 5) MiB, as fast as the socket takes
// them: `{enc: 'clear', load: {cmd: 'x', pad: {k0: '...', k1: ...}}}`, a map
// of ~250,000 short keys, so a master that decodes it pays for every key.
// Sent with REQ framing (['', payload]) as a minion's requests are, so the
// master reads them as requests; its replies are read and counted. One more
// DEALER sends random frames (1-4 frames of 0-64 KiB of random bytes).
// Prints `flooding <bytes>` once it starts sending (the DEALERs connect on their own), and
// one JSON line of counts when it gets SIGTERM, then exits.
import crypto from 'node:crypto';
import { Dealer } from 'zeromq';
import { pack } from '@tsalt/transport';

const [address, connsText = '8', mbText = '5'] = process.argv.slice(2);
if (!address) {
  console.error('usage: node hostile-flood.mjs tcp://HOST:PORT [CONNS] [MB]');
  process.exit(2);
}
const conns = Number(connsText);
const bytesWanted = Number(mbText) * 2 ** 20;

/** Each pad entry: a key `k<i>` and a 12-byte string, ~21 bytes of msgpack. */
const VALUE = 'abcdefghijkl';
const ENTRY_BYTES = 21;
function floodPayload() {
  const pad = {};
  const n = Math.ceil(bytesWanted / ENTRY_BYTES);
  for (let i = 0; i < n; i++) pad[`k${i}`] = VALUE;
  return pack({ enc: 'clear', load: { cmd: 'x', pad } });
}
const payload = floodPayload();
const EMPTY = Buffer.alloc(0);

const counts = { conns, payloadBytes: payload.length, sent: 0, replies: 0, junkSent: 0, junkReplies: 0, errors: 0 };
const sockets = [];
/** A DEALER that reconnects at once if the master drops it; a small send queue keeps this process small. */
function dealer() {
  const s = new Dealer({ linger: 0, sendHighWaterMark: 2, reconnectInterval: 100, reconnectMaxInterval: 1000 });
  s.connect(address);
  sockets.push(s);
  return s;
}

let stopping = false;
/**
 * A turn of the event loop every so many sends: zeromq.js resolves sends at
 * once while its queue has room, and a loop of them would never let the
 * SIGTERM handler run.
 */
let sends = 0;
const breathe = () => (++sends % 16 ? undefined : new Promise((r) => setImmediate(r)));
async function readReplies(s, key) {
  try {
    for await (const _ of s) {
      counts[key]++;
      await breathe();
    }
  } catch {
    // closed on stop
  }
}

async function flood(s) {
  while (!stopping) {
    try {
      await s.send([EMPTY, payload]);
      counts.sent++;
      await breathe();
    } catch {
      if (stopping) return;
      counts.errors++;
    }
  }
}

/** 1 MiB of random bytes once: frames are random slices of it, so the junk costs this process no RSA-like work per frame. */
const POOL = crypto.randomBytes(2 ** 20);
const JUNK_MAX = 64 * 1024;
function junkFrames() {
  const frames = [];
  const k = 1 + crypto.randomInt(4);
  for (let i = 0; i < k; i++) {
    const len = crypto.randomInt(JUNK_MAX + 1);
    const at = crypto.randomInt(POOL.length - len + 1);
    frames.push(POOL.subarray(at, at + len));
  }
  return frames;
}

async function junk(s) {
  while (!stopping) {
    try {
      await s.send(junkFrames());
      counts.junkSent++;
      await breathe();
    } catch {
      if (stopping) return;
      counts.errors++;
    }
  }
}

process.once('SIGTERM', () => {
  stopping = true;
  for (const s of sockets) s.close();
  process.stdout.write(`${JSON.stringify(counts)}\n`, () => process.exit(0));
});

const work = [];
for (let i = 0; i < conns; i++) {
  const s = dealer();
  work.push(readReplies(s, 'replies'), flood(s));
}
const j = dealer();
work.push(readReplies(j, 'junkReplies'), junk(j));
console.log(`flooding ${payload.length}`);
await Promise.all(work);
