import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dfFlags, parseBlkid, parseDfInodes, parseDfPercent, parseDfUsage } from './df-parse.js';

const DF = `Filesystem              1024-blocks     Used Available Capacity Mounted on
devtmpfs                   12334096        0  12334096       0% /dev
/dev/vda                  264212084 26411228 237784472      11% /
my share                       1000      500       500      50% /mnt/share
/dev/mapper/a-very-long-volume-name
                             2000     1000      1000      50% /srv
`;

describe('disk parsers (canned df and blkid)', () => {
  it('df -P: spaces in names and wrapped rows', () => {
    const r = parseDfUsage(DF);
    assert.deepEqual(Object.keys(r), ['/dev', '/', '/mnt/share', '/srv']);
    assert.deepEqual(r['/'], {
      filesystem: '/dev/vda',
      '1K-blocks': '264212084',
      used: '26411228',
      available: '237784472',
      capacity: '11%',
    });
    assert.equal(r['/mnt/share']?.filesystem, 'my share');
    assert.equal(r['/srv']?.filesystem, '/dev/mapper/a-very-long-volume-name');
    assert.deepEqual(parseDfPercent(DF)['/srv'], '50%');
  });
  it('df -iP', () => {
    const out =
      'Filesystem        Inodes  IUsed    IFree IUse% Mounted on\ndevtmpfs         3083524    113  3083411    1% /dev\n';
    assert.deepEqual(parseDfInodes(out), {
      '/dev': { inodes: '3083524', used: '113', free: '3083411', use: '1%', filesystem: 'devtmpfs' },
    });
  });
  it('blkid', () => {
    const out =
      '/dev/vda1: UUID="6a38ee5" BLOCK_SIZE="4096" TYPE="ext4" PARTUUID="0a-01"\n/dev/vdb: LABEL="my data" TYPE="xfs"\n';
    assert.deepEqual(parseBlkid(out), {
      '/dev/vda1': { UUID: '6a38ee5', BLOCK_SIZE: '4096', TYPE: 'ext4', PARTUUID: '0a-01' },
      '/dev/vdb': { LABEL: 'my data', TYPE: 'xfs' },
    });
  });
  it("flags: only df's safe ones", () => {
    assert.equal(dfFlags(null, 'disk.usage'), '');
    assert.equal(dfFlags('hT', 'disk.usage'), 'hT');
    assert.throws(() => dfFlags('h;', 'disk.usage'), /Invalid flag passed to disk.usage/);
  });
});
