/**
 * @tsalt/transport: Salt's ZeroMQ wire. A ROUTER request server and a
 * DEALER request client (REQ framing) on `ret_port`, PUB/SUB on
 * `publish_port`, the msgpack envelope `{enc, load, sig?, version?}`, the
 * `pickle::` AES payload and the `_auth` handshake. Knows nothing of jobs.
 *
 *   const srv = new ReqServer({ address: 'tcp://127.0.0.1:4506', maxRequestSize, log }, async (env) => reply);
 *   const cli = new ReqClient({ address: 'tcp://127.0.0.1:4506' });
 *   const reply = unpack(await cli.request(pack({ enc: 'clear', load, version: 2 }), 5000));
 *
 * The four channel kinds are interfaces (`Transport`): `zmqTransport` makes
 * the ZeroMQ ones, `new MemoryTransport()` in-process ones for unit tests.
 * Messages are typed and parsed once (`parseAuthLoad`, `parsePublishLoad`, …).
 */
export {
  pack,
  unpack,
  unpackWithin,
  decodeEnvelope,
  decodeEnvelopeWithin,
  asBytes,
  type Envelope,
} from './serialize.js';
export { sealAes, openAes, NONCE_LENGTH } from './aes-payload.js';
export { ReqServer, type ReqServerOptions } from './req-server.js';
export {
  RequestReader,
  NO_REPLY,
  type RequestHandler,
  type ClearLimits,
  type RequestReaderOptions,
} from './request-reader.js';
export { isFlatAesEnvelope } from './envelope-peek.js';
export { localRequestAddress } from './local-address.js';
export { tcpAddress } from './tcp-address.js';
export type { RequestServer, RequestChannel, PublishChannel, Subscription, Transport } from './types.js';
export { zmqTransport } from './zmq-transport.js';
export { MemoryTransport } from './memory/index.js';
export { ReqClient, type ReqClientOptions } from './req-client.js';
export { PubServer, SubClient, type PublisherOptions, type SubClientOptions } from './pub-channel.js';
export {
  buildAuthRequest,
  signAuthReply,
  acceptedInner,
  parseAuthReply,
  parseMasterKey,
  newNonce,
  TSALT_FEATURES,
  type AuthRequest,
  type AuthOutcome,
  type AcceptedReplyParams,
  type ParseAuthParams,
} from './auth.js';
export { sealPublish, openPublish } from './publish.js';
export { sealPrivate, openPrivate, type PrivateReplyParams, type OpenPrivateParams } from './private-reply.js';
export {
  BadMessageError,
  MasterKeyChangedError,
  MessageTooLargeError,
  RequestTimeoutError,
  SocketClosedError,
} from './errors.js';
export { ensureSocketCapacity, zmqVersion } from './socket-limit.js';
export { keepaliveSocketOptions, TCP_KEEPALIVE_DEFAULTS, type TcpKeepaliveOpts } from './keepalive.js';
export { PublishRelayClient, PublishRelayServer } from './publish-relay.js';
export * from './messages/index.js';
export {
  signIn,
  filePin,
  memoryPin,
  AuthRefusedError,
  SignInError,
  type MasterPin,
  type Session,
  type SignInMode,
} from './sign-in.js';
export { minionAesRequest, minionPrivateRequest, minionFireMaster, type MinionChannel } from './minion-request.js';
export { MasterClient, type MasterClientOptions } from './master-client.js';
