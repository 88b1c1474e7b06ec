/**
 * Hashes and random names for the CLI's cache, fixes and report fingerprints. `node:crypto`
 * is required on first use, not at start-up: loading it costs 2–7 ms, and most runs
 * (no cache, no fix, a text report) never need it.
 */
import type * as Crypto from 'node:crypto';

let crypto: typeof Crypto | undefined;

function load(): typeof Crypto {
  crypto ??= require('node:crypto') as typeof Crypto;
  return crypto;
}

/** The hex digest of `text` (`sha1` for cache keys, `sha256` for fingerprints). */
export function hexDigest(algorithm: 'sha1' | 'sha256', text: string): string {
  return load().createHash(algorithm).update(text).digest('hex');
}

/** `bytes` random bytes as hex (unique temporary file names). */
export function randomHex(bytes: number): string {
  return load().randomBytes(bytes).toString('hex');
}
