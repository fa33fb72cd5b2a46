export { MemoryTransport } from './memory-transport.js';
