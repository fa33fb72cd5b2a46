/**
 * @tsalt/events: the master event bus. `EventBus` runs inside the master;
 * `EventListener` and `fireMasterEvent` are the API for everything else on
 * the master host. Wire: `tag\n\n` + msgpack(data), one ZeroMQ frame.
 *
 *   const l = new EventListener({ sockDir, prefixes: ['salt/job/'] });
 *   await l.ready();
 *   const ev = await l.next(5000); // { tag, data } or undefined
 */
export { EventBus, type EventBusOptions } from './bus.js';
export { EventListener, fireMasterEvent, type ListenerOptions } from './listener.js';
export { busAddresses, encodeEvent, decodeEvent, stamp, type BusEvent } from './wire.js';
export { EventTooLargeError, BadEventError, BusUnavailableError } from './errors.js';
