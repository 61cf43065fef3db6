import type { Clock } from '../../platform/clock.js';

export interface RateLimit {
  /** Sustained requests per second; 0 turns limiting off. */
  perSecond: number;
  /** Requests allowed at once after a quiet spell (the bucket's size). */
  burst: number;
}

interface Bucket {
  tokens: number;
  /** When tokens was last brought up to date, epoch ms. */
  at: number;
}

/**
 * Token buckets per key id, in memory: one Map lookup and a little arithmetic per request,
 * cheap enough for the ingest path. Buckets are per process (a scale-out deployment limits
 * per node), and forgotten on restart, which only ever errs towards letting requests in.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock,
  ) {}

  /** Takes a token for the key: 0 when the request may go, else whole seconds to wait (≥ 1). */
  take(keyId: string): number {
    const { perSecond, burst } = this.limit;
    if (perSecond <= 0) return 0;
    const now = this.clock.now();
    let bucket = this.buckets.get(keyId);
    if (bucket === undefined) {
      bucket = { tokens: burst, at: now };
      this.buckets.set(keyId, bucket);
    } else if (now > bucket.at) {
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * perSecond) / 1000);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
  }
}
