import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@tsalt/core';
import { minionConfig, type MinionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { statePlugins, type HighstateResult, type LowChunk, type StateReturn, type StateServices } from '@tsalt/states';
import type { ModuleServices } from '../context.js';
import { FileClient } from '../fileclient/client.js';
import { LocalFileBackend } from '../fileclient/local-backend.js';
import { executionModulePlugins } from '../index.js';

/**
 * A minion in a temp directory for the file state's tests: a file_roots
 * (`srv`), a cachedir, the execution modules over a local file client, and
 * the state registry calling through them, as the state runtime will.
 */
export class StateHarness {
  readonly dir: string;
  readonly srv: string;
  readonly cachedir: string;
  readonly states: Registry<MinionConfig, StateServices>;
  readonly modules: Registry<MinionConfig, ModuleServices>;
  readonly client: FileClient;

  constructor(o: { grains?: Record<string, unknown>; pillar?: Record<string, unknown> } = {}) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-state-file-'));
    this.srv = path.join(this.dir, 'srv');
    this.cachedir = path.join(this.dir, 'cache');
    fs.mkdirSync(this.srv);
    const log = silentLogger();
    const opts = { ...minionConfig(), cachedir: this.cachedir, file_roots: { base: [this.srv] } };
    this.client = new FileClient(new LocalFileBackend({ base: [this.srv] }, 'sha256'), {
      cachedir: this.cachedir,
      log,
    });
    const grains = o.grains ?? { id: 'minion1', os: 'Debian' };
    const pillar = o.pillar ?? {};
    // The modules run with test: false even for a test run: the state must not lean on their own flag.
    this.modules = new Registry<MinionConfig, ModuleServices>(
      { kind: 'module', opts, log, grains, pillar, services: { fileClient: this.client } },
      executionModulePlugins(),
    );
    this.states = new Registry<MinionConfig, StateServices>(
      { kind: 'state', opts, log, grains, pillar },
      statePlugins(),
    );
  }

  /** A path under the temp directory. */
  p(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  /** Writes a file under file_roots (`salt://<rel>`). */
  serve(rel: string, text: string): void {
    const f = path.join(this.srv, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
  }

  /** Runs `file.<fun>` as the state runtime does: kwargs by name, `name` first. */
  async run(
    fun: string,
    kwargs: Record<string, unknown>,
    test = false,
    running: HighstateResult = {},
  ): Promise<StateReturn> {
    const chunk: LowChunk = {
      state: 'file',
      __id__: String(kwargs['name']),
      name: String(kwargs['name']),
      fun,
      __sls__: 'files',
      __env__: 'base',
      order: 10000,
      ...kwargs,
    };
    const services: StateServices = {
      salt: (f, a, k) => this.modules.call(f, a ?? [], k ?? {}).then((r) => r.return),
      fileClient: this.client,
      run: { test, saltenv: 'base', chunk, running },
    };
    const { return: ret } = await this.states.call(`file.${fun}`, [], kwargs, { services });
    return ret as StateReturn;
  }

  close(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
