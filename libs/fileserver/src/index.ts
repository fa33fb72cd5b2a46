/**
 * The master's file server: Salt's `roots` backend over `file_roots`.
 *
 *   const fs = new FileServer({ file_roots: { base: ['/srv/salt'] }, hash_type: 'sha256' });
 *   await fs.fileList('base');             // ['top.sls', 'hello.txt']
 *   await fs.fileHash('hello.txt', 'base'); // { hsum, hash_type }
 *   await fs.serveFile('hello.txt', 'base', 0); // { data, dest }
 */
export {
  FileServer,
  FILE_BUFFER_SIZE,
  checkRelPath,
  hashFile,
  type FileServerOptions,
  type Found,
  type FileHash,
  type FileChunk,
} from './roots.js';
export { UnsafePathError } from './errors.js';
