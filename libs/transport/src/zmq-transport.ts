import { ReqServer } from './req-server.js';
import { ReqClient } from './req-client.js';
import { PubServer, SubClient } from './pub-channel.js';
import type { Transport } from './types.js';

/** Salt's ZeroMQ wire: ROUTER/DEALER on the request port, PUB/SUB on the publish port. The default. */
export const zmqTransport: Transport = {
  requestServer: (opts, handler) => new ReqServer(opts, handler),
  requestChannel: (opts) => new ReqClient(opts),
  publishChannel: (opts) => new PubServer(opts),
  subscription: (opts) => new SubClient(opts),
};
