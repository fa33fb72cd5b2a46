import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '@tsalt/core';
import type { PillarOptions } from './options.js';

/** Writes `files` (relative path to text) under a new temp folder; returns the folder. */
export function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-pillar-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

export function removeTree(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A Logger keeping every warn/error line's text: enough for the compiler. */
export function recordingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = {
    warn: (_o: unknown, msg?: string) => void lines.push(String(msg ?? _o)),
    error: (_o: unknown, msg?: string) => void lines.push(String(msg ?? _o)),
    info: () => undefined,
    debug: () => undefined,
    child() {
      return log;
    },
  };
  return { log: log as unknown as Logger, lines };
}

/** Compiler options as the master's defaults give them, `pillar_roots` replaced. */
export function options(roots: Record<string, string[]>, extra: Partial<PillarOptions> = {}): PillarOptions {
  return {
    roots,
    top: 'top.sls',
    renderer: 'jinja|yaml',
    mergeStrategy: 'smart',
    mergeLists: false,
    safeRenderError: true,
    includesOverrideSls: false,
    pillarenv: null,
    pillarenvFromSaltenv: false,
    nodegroups: {},
    pillarOpts: false,
    opts: { id: 'master_master', renderer: 'jinja|yaml' },
    ...extra,
  };
}
