import { createHash, randomBytes } from 'node:crypto';
import type { KeyKind } from '@attune/contracts';

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A new random key: `wk_` (write) or `sk_` (secret) and 32 base62 characters (~190 bits). */
export function generateKey(kind: KeyKind): string {
  const bytes = randomBytes(32);
  let body = '';
  for (const byte of bytes) body += alphabet[byte % 62];
  return `${kind === 'write' ? 'wk' : 'sk'}_${body}`;
}

/**
 * Keys are stored only as SHA-256 digests. Generated keys carry ~190 bits of entropy, so a
 * fast hash is enough: there is nothing to brute-force, unlike a password.
 */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** What lists show so an operator can recognise a key without seeing it. */
export function keyHint(key: string): string {
  return `${key.slice(0, Math.min(7, Math.floor(key.length / 2)))}…`;
}
