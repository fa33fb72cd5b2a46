import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import { Crypticle, sessionKeyDigest, x931Sign } from '@tsalt/crypto';

/**
 * The AES session key every accepted minion shares, and the publish serial.
 * Salt keeps this in shared memory across MWorkers; here one process owns it.
 */
export class SessionKeys {
  private current: Crypticle;
  private serial = 0;
  private sig: Buffer | undefined;
  /** When the key was made (ms since epoch), for `publish_session`. */
  createdAt = Date.now();

  constructor() {
    this.current = new Crypticle(Crypticle.generateKeyString());
  }

  get aes(): Crypticle {
    return this.current;
  }

  /**
   * The master's X9.31 signature over the session key's digest, which every
   * auth reply carries: the same for every minion until the key rotates, so
   * made once per key rather than one RSA private operation per sign-in.
   */
  keySignature(masterPrivate: KeyObject): Buffer {
    this.sig ??= x931Sign(masterPrivate, sessionKeyDigest(this.current.keyString));
    return this.sig;
  }

  /** Serials only have to increase per key: minions reset theirs on re-auth. */
  nextSerial(): number {
    this.serial += 1;
    return this.serial;
  }

  rotate(): void {
    this.current = new Crypticle(Crypticle.generateKeyString());
    this.serial = 0;
    this.sig = undefined;
    this.createdAt = Date.now();
  }
}

/** Salt's dropfile: `<cachedir>/.dfn`, written by tsalt-key to ask for a rotation. */
export function dropfilePath(cachedir: string): string {
  return path.join(cachedir, '.dfn');
}
