import { RunnerError } from './errors.js';

/** The part of the master's file server (@tsalt/fileserver) the fileserver.* runners read. */
export interface RunnerFileServer {
  envs(): string[];
  fileList(saltenv: string, prefix?: string): Promise<string[]>;
  dirList(saltenv: string, prefix?: string): Promise<string[]>;
  emptyDirs(saltenv: string, prefix?: string): Promise<string[]>;
}

/** What tsalt-run injects for fileserver.*: the file server over the master's file_roots. */
export interface FileServerRunnerServices {
  fileserver?: RunnerFileServer;
}

/** The file server, or a RunnerError saying there is none. */
export function fileServerOf(services: Readonly<Partial<FileServerRunnerServices>>): RunnerFileServer {
  if (!services.fileserver) throw new RunnerError('FILESERVER_MISSING', 'No file server is available to this runner');
  return services.fileserver;
}
