/**
 * A 32-bit hash of a string (FNV-1a over UTF-16 code units, then an avalanche mix), never 0
 * so 0 can mark an empty slot. Not cryptographic: collisions are expected and resolved by
 * whoever uses the fingerprint.
 */
export function fingerprint32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h === 0 ? 1 : h >>> 0;
}
