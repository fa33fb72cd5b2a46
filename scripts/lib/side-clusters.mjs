// The two systems a section that sets tsalt beside Salt 3006.8 drives the same
// way (sections `states` and `hostile`): a master and the minions of its kind,
// as { name, daemon, ret, pkiDir, master, minions, add(ids), cli(args), stop() }.
// `master` and each of `minions` have { proc, tail() } (salt-minions also
// seen(): they logged MINION_READY); `add` starts minions without waiting for
// them; `cli(args)` is { cmd, args } for the system's own CLI on that master;
// `stop` ends the minions, then the master, and says so through `say`.
import fs from 'node:fs';
import path from 'node:path';
import { startMaster } from './bench-master.mjs';
import { bin } from './local.mjs';
import {
  MINION_READY,
  SALT_SH,
  removeOnExit,
  startGroup,
  startSalt,
  startSaltMaster,
  stopOnExit,
  waitSaltMaster,
  writeMinionConfig,
} from './salt-daemons.mjs';

/**
 * A bench tsalt-master named `section` with `extra` appended to its config,
 * and tsalt-minions under tmp/tsalt/<id> logging errors only.
 * `seedPki(pkiDir)` may fill its pki_dir (e.g. keys to pre-accept) once it
 * runs, before any minion starts.
 */
export async function tsaltCluster(tmp, { section, extra = '', seedPki, say }) {
  const m = await startMaster(section, extra);
  const forget = stopOnExit(m.proc);
  removeOnExit(m.tmp);
  const pkiDir = path.join(m.tmp, 'etc/tsalt/pki/master');
  seedPki?.(pkiDir);
  const minions = [];
  return {
    name: 'tsalt',
    daemon: 'tsalt-minion',
    ret: m.ret,
    pkiDir,
    master: { proc: m.proc, tail: () => '' },
    minions,
    add(ids) {
      for (const id of ids) {
        const dir = path.join(tmp, 'tsalt', id);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(
          path.join(dir, 'minion'),
          `id: ${id}\nroot_dir: ${dir}\nmaster: 127.0.0.1\nmaster_port: ${m.ret}\npublish_port: ${m.pub}\nlog_level: error\nacceptance_wait_time: 1\n`,
        );
        minions.push(startGroup(process.execPath, [bin('minion', 'tsalt-minion'), '-c', dir]));
      }
    },
    cli: (args) => ({ cmd: process.execPath, args: [bin('cli', 'tsalt'), '-c', m.conf, ...args] }),
    async stop() {
      await Promise.all(minions.map((d) => d.stop()));
      await m.stop();
      forget();
      say('tsalt-master and its minions stopped');
    },
  };
}

/**
 * A salt-master under tmp/salt/master (startSaltMaster with `extra` and
 * `level`; `seedPki(pkiDir)` runs before it starts), waited for until it binds
 * its ports and event bus, and salt-minions under tmp/salt/<id> logging at
 * info (MINION_READY is an info line).
 */
export async function saltCluster(tmp, { extra, level, seedPki, say }) {
  const { dir, ports, master } = await startSaltMaster(path.join(tmp, 'salt', 'master'), {
    extra,
    level,
    beforeStart: seedPki,
  });
  const minions = [];
  const stop = async () => {
    await Promise.all(minions.map((d) => d.stop()));
    await master.stop();
    say('salt-master and its minions stopped');
  };
  try {
    await waitSaltMaster(dir, ports, master);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    name: 'salt',
    daemon: 'salt-minion',
    ret: ports.ret,
    pkiDir: path.join(dir, 'pki'),
    master,
    minions,
    add(ids) {
      for (const id of ids) {
        const mdir = path.join(tmp, 'salt', id);
        writeMinionConfig(mdir, id, ports);
        minions.push(startSalt('salt-minion', mdir, { level: 'info', watch: MINION_READY }));
      }
    },
    cli: (args) => ({ cmd: SALT_SH, args: ['salt', '-c', dir, ...args] }),
    stop,
  };
}
