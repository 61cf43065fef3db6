import type { Keyring } from '../../platform/keyring.js';

/**
 * The write key of a source Attune runs itself (the demo shop, journeys): stable across
 * restarts without storing it, derived from this installation's keyring.
 */
export function derivedWriteKey(keyring: Pick<Keyring, 'pseudonym'>, source: string): string {
  const derived = keyring.pseudonym(`${source}-write-key`, 'v1').slice(3).replace(/[-_]/g, '');
  return `wk_${source}_${derived}`;
}
