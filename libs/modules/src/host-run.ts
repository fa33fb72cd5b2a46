import fs from 'node:fs/promises';
import { ModuleError } from './errors.js';
import { runHost, type HostResult } from './host-command.js';
import { which } from './which.js';

/** Bound on a helper command (ip, df, netstat...): 30 s, generous for a loaded host. */
const HELPER_TIMEOUT_MS = 30_000;

/**
 * Runs a read-only system tool (ip, df, netstat...) the way Salt's modules
 * parse it: runHost's argv, C locale and stderr apart, outside any job.
 */
export async function runTool(argv: readonly string[], timeoutMs = HELPER_TIMEOUT_MS): Promise<HostResult> {
  return runHost(undefined, argv, { timeoutMs });
}

/** The tool's stdout; '' when it is missing or fails (Salt's cmd.run gives its output either way). */
export async function toolOutput(argv: readonly string[]): Promise<string> {
  try {
    return (await runTool(argv)).stdout;
  } catch {
    return '';
  }
}

/** Salt's `@which(exe)` decorator: a clear error when the binary is missing. */
export function requireBinary(exe: string, fun: string): string {
  const found = which(exe, process.env['PATH']);
  if (found === null)
    throw new ModuleError(
      'COMMAND_NOT_FOUND',
      `Command required for '${fun}' not found: The '${exe}' binary was not found in $PATH.`,
    );
  return found;
}

export function hasBinary(exe: string): boolean {
  return which(exe, process.env['PATH']) !== null;
}

/** A /proc (or other) text file, or null when it cannot be read. */
export async function readText(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return null;
  }
}
