/**
 * @tsalt/crypto: Salt's cryptography, on node:crypto (OpenSSL), which is
 * about 100x faster than a JavaScript RSA. Knows nothing of jobs or sockets.
 *
 *   const pair = loadOrCreateKeyPair(pkiDir, 'master');
 *   const aes = new Crypticle(Crypticle.generateKeyString());
 *   const ct = aes.encrypt(bytes); aes.decrypt(ct);
 */
export {
  generateKeyPair,
  generateKeyPairAsync,
  keyPairFromPem,
  loadOrCreateKeyPair,
  parsePublicKey,
  samePublicKey,
  cleanKey,
  pemFingerprint,
  type KeyPair,
} from './keys.js';
export { rsaOaepEncrypt, rsaOaepDecrypt, rsaSign, rsaVerify } from './rsa.js';
export { x931Sign, x931Recover, x931Pad, x931Unpad, minionToken, minionTokenValid } from './x931.js';
export { Crypticle, sessionKeyDigest } from './crypticle.js';
export { DecryptError, KeyError, SignatureError } from './errors.js';
export { KeyStore, STATE_DIRS, invalidIdReason, type KeyState, type KeyListing } from './pki-store.js';
