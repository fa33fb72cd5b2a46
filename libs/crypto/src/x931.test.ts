import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { generateKeyPair, minionToken, minionTokenValid, x931Pad, x931Recover, x931Sign, x931Unpad } from './index.js';

/**
 * Known answers from real Salt 3006.8: salt.utils.rsax931.RSAX931Signer
 * (OpenSSL's RSA_private_encrypt with RSA_X931_PADDING) over this 1024-bit
 * test key. OpenSSL sends min(s, n - s): the token below is in the n - s
 * form, the 64-byte digest in the plain form.
 */
const KEY = `-----BEGIN RSA PRIVATE KEY-----
MIICXQIBAAKBgQDX+NpTJvPdR4YuuzoI1HnsQu7ubH7Wq1hPdWBrfQb/cMAttWf6
lVulsiIJkdhpOCO4OS9ap4suJgjzuLawNgSP+j9/eyWqyO15S8nk+WWKQYSZrhGV
fPTsNvByUVZ+5eu+8ilAVJH0Apr3v0zHlHXMrWxV7K0xsuXncXOU5bFyGQIDAQAB
AoGBAKudnndG0695P2Hw+su7c2rPQSeKZTvWCiWRwt2HC0F96egoZ4iSmLHRHAT4
tLvflVq1bjCeRBWWubRZiin5sqL0ME+cln7k7Ntg57Zzn2cp93lP5WWsNHyY0GPO
ogY1ZD4u942DBSTaNbAug9oXyAPtlI+eQ3AWtZSl5y+H+hIlAkEA82nYmmy5v02l
8bQt5tQ4UKTEcpModA9EaKQlMSsAOLHqOXAe4a6SlWnn1/52itwWqBm37fA/pyPv
Rka42CgrZwJBAOMjwUp4dWr/ZuaWdAT3Y0l1dCYDY/oVwzC2Xw2v9OoPxL/GElRz
hvJzi95/JGYhRT6apvynS2oWq/iuVGkUhn8CQQCbVh3blq0HD2dqEwEEAMSbejq/
n3e+cQvH95Cgiv+OLsP5ubqLbVuwLDC/X22I+iEfT6JYHuyQHleRMoq9rwzbAkAH
ERq3bW4ByTZzYCT17ph5NZ1KfXqD0l+DSXlFnL7a9Wiiqs/xLrL5Ih0s6/m+77QO
0ZL2c2IGR/RLxWi86DWTAkBqugRK5SpL2l228daiAe5B4AsxrYZMQ3MhXls2GwIF
4VvBEy4HOvlvs7bdEzoFHgHs/0DXSTbMefah6onMDsHo
-----END RSA PRIVATE KEY-----
`;
const SALT_TOKEN =
  '0eface76e5e666cf79399a20595cfcbb3a0818718a5a3f97fabb9138ea5815c0136aca6e3226b98a07c7a4f9dbe2d4bb7981b0041cfbf3848ef3546e66b30fe8235a66cbe0252733674dba40db920451827ba267df58b697da726bea5efc2bb57d15bd4c44a2b57f038ccd402256081105343a5aecbf1c8989db7aba0c0b52f3';
const SALT_DIGEST_SIG =
  '61336381e70b35b2b65af2ec3212d7048c84b0fe99c14c44085e57309d3f9bf03ae5304c7d9dafdf5cd6e1f4dce8b58d555292cd4eb486aedf35ff783844c1987fcf7bd6bb7c0c016513d16976b3d6ba98f27de2897a29f8dc06ab351012ae32949deb383c0501a3117819484054d9767ed6af9274d37eac09797c64f6cecace';
const DIGEST = Buffer.from('a'.repeat(64));

const priv = crypto.createPrivateKey(KEY);
const pub = crypto.createPublicKey(priv);

test('X9.31 signing gives the very bytes OpenSSL gives, in both forms', () => {
  assert.equal(x931Sign(priv, Buffer.from('salt')).toString('hex'), SALT_TOKEN);
  assert.equal(x931Sign(priv, DIGEST).toString('hex'), SALT_DIGEST_SIG);
  assert.equal(minionToken(KEY).toString('hex'), SALT_TOKEN, "Salt's tok: gen_token(b'salt')");
});

test('X9.31 recovery undoes the n - s form as well as the plain one', () => {
  assert.equal(x931Recover(pub, Buffer.from(SALT_TOKEN, 'hex'))?.toString(), 'salt');
  assert.deepEqual(x931Recover(pub, Buffer.from(SALT_DIGEST_SIG, 'hex')), DIGEST);
  // Without the n - s step the token's block does not unpad: what a naive verifier sees.
  const naive = crypto.publicDecrypt(
    { key: pub, padding: crypto.constants.RSA_NO_PADDING },
    Buffer.from(SALT_TOKEN, 'hex'),
  );
  assert.equal(x931Unpad(naive), undefined);
  assert.equal(minionTokenValid(pub, Buffer.from(SALT_TOKEN, 'hex')), true);
});

test('X9.31 recovery refuses other keys, damaged and oversized signatures', () => {
  const other = generateKeyPair(1024).publicKey;
  const tok = Buffer.from(SALT_TOKEN, 'hex');
  assert.equal(x931Recover(other, tok), undefined);
  assert.equal(minionTokenValid(other, tok), false);
  const bad = Buffer.from(tok);
  bad[10] = (bad[10] ?? 0) ^ 1;
  assert.equal(x931Recover(pub, bad), undefined);
  assert.equal(x931Recover(pub, Buffer.alloc(129, 1)), undefined, 'longer than the modulus');
  assert.equal(x931Recover(pub, Buffer.alloc(128, 0xff)), undefined, 'not below the modulus');
  assert.equal(x931Recover(pub, Buffer.alloc(0)), undefined);
});

test('a signature with leading zero bytes dropped still verifies', () => {
  for (let i = 0; i < 2000; i++) {
    const sig = x931Sign(priv, Buffer.from(`m${i}`));
    if (sig[0] !== 0) continue;
    assert.equal(x931Recover(pub, sig.subarray(1))?.toString(), `m${i}`);
    return;
  }
  assert.fail('no signature with a leading zero byte in 2000 tries');
});

test('X9.31 padding: 6A when two bytes are left, 6B BA with no fill at three, refused when longer', () => {
  assert.deepEqual(x931Pad(Buffer.from('xy'), 4), Buffer.from([0x6a, 0x78, 0x79, 0xcc]));
  assert.deepEqual(x931Pad(Buffer.from('x'), 4), Buffer.from([0x6b, 0xba, 0x78, 0xcc]));
  assert.deepEqual(x931Pad(Buffer.from(''), 4), Buffer.from([0x6b, 0xbb, 0xba, 0xcc]));
  assert.throws(() => x931Pad(Buffer.from('xyz'), 4), /too long/);
  for (const m of ['', 'x', 'xy']) assert.equal(x931Unpad(x931Pad(Buffer.from(m), 4))?.toString(), m);
  assert.equal(x931Unpad(Buffer.from([0x6b, 0xbb, 0xbb, 0xcc])), undefined, 'no BA mark');
  assert.equal(x931Unpad(Buffer.from([0x6b, 0xba, 0x78, 0xcd])), undefined, 'no CC trailer');
  assert.equal(x931Unpad(Buffer.from([0x00, 0xba, 0x78, 0xcc])), undefined, 'bad head');
});
