import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  SALT_SH,
  TSALT,
  freePort,
  parseJsonOut,
  saltSkipReason,
  startProc,
  startTsaltMaster,
  tempRoot,
  tsaltRun,
  waitFor,
  writeSaltMinionConfig,
  type Proc,
} from './salt-peer.js';

/**
 * An unmodified salt-minion 3006.8 on tsalt-master running state.apply:
 * its own state system fetches top.sls, the SLS files and a template from
 * tsalt's file server, and the tsalt CLI prints the run with the highstate
 * outputter.
 */

const skip = saltSkipReason();
const ID = 'real-st';

describe('salt-minion 3006.8 applies states from tsalt-master', { skip, timeout: 300_000 }, () => {
  let root = '';
  let masterDir = '';
  let master: Proc | undefined;
  let minion: Proc | undefined;
  let out = '';
  const tsalt = (args: string[], timeoutMs = 120_000): ReturnType<typeof tsaltRun> =>
    tsaltRun(TSALT.tsalt, ['-c', masterDir, ...args], timeoutMs);
  const diagnostics = (): string => `\n--- tsalt-master ---\n${master?.output().slice(-3000)}`;

  before(async () => {
    root = tempRoot('tsalt-states-real-');
    out = path.join(root, 'out');
    const srv = path.join(root, 'srv', 'salt');
    fs.mkdirSync(path.join(srv, 'web', 'files'), { recursive: true });
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(srv, 'top.sls'), "base:\n  '*':\n    - web\n");
    fs.writeFileSync(
      path.join(srv, 'web', 'init.sls'),
      `index:
  file.managed:
    - name: ${out}/index.html
    - source: salt://web/files/index.html.jinja
    - template: jinja

announce:
  cmd.run:
    - name: echo deployed >> ${out}/deploy.log
    - onchanges:
      - file: index
`,
    );
    fs.writeFileSync(path.join(srv, 'web', 'files', 'index.html.jinja'), "<p>{{ grains['id'] }} served by tsalt</p>\n");
    const ports = { publish: await freePort(), ret: await freePort() };
    let proc: Proc;
    ({ dir: masterDir, proc } = await startTsaltMaster(
      root,
      ports,
      `auto_accept: true\ntokless_returns: targeted\nfile_roots:\n  base:\n    - ${srv}\n`,
    ));
    master = proc;
    const minionDir = path.join(root, 'salt-minion');
    writeSaltMinionConfig(minionDir, ID, ports);
    minion = startProc(SALT_SH, ['salt-minion', '-c', minionDir, '-l', 'info']);
    await waitFor(
      `${ID} to answer test.ping`,
      async () => {
        const r = await tsalt([ID, 'test.ping', '--out', 'json', '-t', '5']);
        try {
          return parseJsonOut(r.stdout)[ID] === true;
        } catch {
          return false;
        }
      },
      90_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}${diagnostics()}`);
    });
  });
  after(async () => {
    await minion?.stop();
    await master?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test('state.apply: the files land, a second run changes nothing', async () => {
    const r = await tsalt([ID, 'state.apply', '--out', 'json', '-t', '90']);
    const ret = parseJsonOut(r.stdout)[ID] as Record<string, { result: boolean; changes: object; __id__: string }>;
    assert.ok(ret && typeof ret === 'object' && !Array.isArray(ret), r.stdout + r.stderr + diagnostics());
    const res = Object.fromEntries(Object.values(ret).map((v) => [v.__id__, v]));
    assert.equal(res['index']?.result, true, JSON.stringify(res));
    assert.equal(res['announce']?.result, true, JSON.stringify(res));
    assert.equal(fs.readFileSync(path.join(out, 'index.html'), 'utf8'), `<p>${ID} served by tsalt</p>\n`);
    assert.equal(fs.readFileSync(path.join(out, 'deploy.log'), 'utf8'), 'deployed\n');

    const again = await tsalt([ID, 'state.apply', '-t', '90']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, new RegExp(`Summary for ${ID}`));
    assert.match(again.stdout, /Succeeded: 2\n/);
    assert.match(again.stdout, /Failed:\s+0/);
    assert.equal(fs.readFileSync(path.join(out, 'deploy.log'), 'utf8'), 'deployed\n', 'onchanges did not fire');
  });
});
