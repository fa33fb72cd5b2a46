/**
 * @tsalt/events: the master event bus. `EventBus` runs inside the master;
 * `EventListener` and `fireMasterEvent` are the API for everything else on
 * the master host. Wire: `tag\n\n` + msgpack(data), one ZeroMQ frame (the bus
 * may add a second: per-prefix sequence numbers, from which listeners count drops).
 *
 *   const l = new EventListener({ sockDir, prefixes: ['salt/job/'], log });
 *   await l.ready();
 *   const ev = await l.next(5000); // { tag, data } or undefined
 *   l.dropped;                     // events lost because this reader fell behind
 *   const unsubscribe = bus.onEvent((tag, data) => ..., { maxQueue: 10000 }); // in the master
 */
export { EventBus, type EventBusOptions } from './bus.js';
export {
  type LocalHandler,
  type LocalSubscription,
  type LocalQueueOptions,
  DEFAULT_LOCAL_QUEUE,
} from './local-queue.js';
export { EventListener, fireMasterEvent, type ListenerOptions } from './listener.js';
export {
  busAddresses,
  encodeEvent,
  decodeEvent,
  encodeSeqFrame,
  decodeSeqFrame,
  stamp,
  SYNC_PREFIX,
  type BusEvent,
} from './wire.js';
export { tagMatcher, tagPrefix } from './tag-match.js';
export { EventTooLargeError, BadEventError, BusUnavailableError } from './errors.js';
