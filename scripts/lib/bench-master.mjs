// A real tsalt-master for one bench section: its own temp root_dir, free
// ports on 127.0.0.1, and a stop that removes it all.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventListener } from '@tsalt/events';
import { bin, freePort, sleep } from './local.mjs';
import { exited, processTree } from './measure.mjs';

/** How long a master may take to answer on its bus after spawn (ms). */
const BUS_WAIT_MS = 30_000;
/** How long a master may take to exit after SIGTERM before SIGKILL (ms). */
const STOP_WAIT_MS = 10_000;

/**
 * Starts a master with `extra` appended to its config (YAML lines) and waits
 * until its event bus answers. Returns { tmp, conf, pub, ret, sockDir, proc, stop }.
 */
export async function startMaster(name, extra = '') {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `tsalt-bench-${name}-`));
  const conf = path.join(tmp, 'etc', 'master');
  fs.mkdirSync(conf, { recursive: true });
  const [pub, ret] = [await freePort(), await freePort()];
  fs.writeFileSync(
    path.join(conf, 'master'),
    `root_dir: ${tmp}\ninterface: 127.0.0.1\npublish_port: ${pub}\nret_port: ${ret}\nlog_level: error\n${extra}`,
  );
  const proc = spawn(process.execPath, [bin('master', 'tsalt-master'), '-c', conf], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const sockDir = path.join(tmp, 'var/run/tsalt/master');
  const stop = async () => {
    // Its forked publisher goes with it on SIGTERM; on SIGKILL it would be left behind.
    const tree = processTree(proc.pid);
    proc.kill('SIGTERM');
    if (!(await exited(proc, STOP_WAIT_MS))) {
      for (const pid of tree.reverse()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await exited(proc, 2000);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    await waitForBus(sockDir, proc);
  } catch (err) {
    await stop();
    throw err;
  }
  return { tmp, conf, pub, ret, sockDir, proc, stop };
}

/** Resolves once the master's event bus answers a listener (EventListener.ready()). */
async function waitForBus(sockDir, proc) {
  const until = Date.now() + BUS_WAIT_MS;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(`tsalt-master ended while starting (${proc.signalCode ?? `exit ${proc.exitCode}`})`);
    let listener;
    try {
      listener = new EventListener({ sockDir, prefixes: ['bench/ready/'] });
      await listener.ready(1000);
      return;
    } catch (err) {
      if (Date.now() > until)
        throw new Error(`tsalt-master's event bus did not answer within ${BUS_WAIT_MS / 1000} s: ${err.message}`);
      await sleep(200);
    } finally {
      listener?.close();
    }
  }
}
