import { createLogger, errorLine } from '@tsalt/core';
import { PubServer, PublishRelayServer } from '@tsalt/transport';
import type { FromPublisher, PublisherInit } from './publisher-protocol.js';

/**
 * Salt's Publisher process: binds `publish_port` and forwards every payload
 * the master relays to all minions. It holds one TCP connection per minion,
 * so the master process's open files stay at one per minion.
 */
const send = (m: FromPublisher): void => {
  process.send?.(m);
};

let pub: PubServer | undefined;
let relay: PublishRelayServer | undefined;

async function start(init: PublisherInit): Promise<void> {
  const log = createLogger({ level: init.logLevel, name: 'publisher' });
  pub = new PubServer({
    address: init.address,
    highWaterMark: init.highWaterMark,
    backlog: init.backlog,
    keepalive: init.keepalive,
    subscriptionMaxBytes: init.subscriptionMaxBytes,
    log,
  });
  relay = new PublishRelayServer();
  try {
    await pub.start();
    await relay.bind(init.relayAddress);
  } catch (err) {
    send({ t: 'error', error: `cannot bind ${init.address}: ${errorLine(err)}` });
    process.exit(1);
  }
  send({ t: 'ready' });
  for await (const payload of relay.payloads()) await pub.publish(payload);
}

function stop(): void {
  relay?.close();
  pub?.close();
  process.exit(0);
}

process.on('message', (m: PublisherInit) => {
  if (m.t === 'init' && !pub) void start(m);
});
// The master owns our lifetime: its Ctrl-C reaches us too, and we go when it goes.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', stop);
process.on('disconnect', stop);
