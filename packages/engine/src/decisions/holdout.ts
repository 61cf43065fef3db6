/**
 * A stable bucket in [0, 10000) for a key: the same profile always lands in the same
 * bucket, so a holdout of p % is the keys whose bucket is below p × 100. FNV-1a over the
 * text, then a murmur3 finalizer to spread neighbouring keys (`user-1`, `user-2`) apart.
 */
export function holdoutBucket(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % 10_000;
}

/** Whether the key is in a holdout of `percent` % (0–100, steps of 0.01). */
export function inHoldout(key: string, percent: number): boolean {
  if (percent <= 0) return false;
  return holdoutBucket(`holdout:${key}`) < Math.round(percent * 100);
}
