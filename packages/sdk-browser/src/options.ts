export interface LoadOptions {
  /** Attune's origin, e.g. `https://cdp.example.com`; by default where the script came from. */
  host?: string;
  /** Send when this many messages wait (20). */
  flushAt?: number;
  /** …or this long (ms) after the first one (200). */
  flushInterval?: number;
  /** Most messages kept while offline (1,000); the oldest are dropped first. */
  maxQueued?: number;
  /** First retry delay (500 ms), doubling up to `retryMax` (30 s); also for live reconnects. */
  retryBase?: number;
  retryMax?: number;
  /** decide() gives up after this long (1,500 ms) and resolves `{}`. */
  decideTimeout?: number;
  /** A call's promise and callback wait at most this long (300 ms) for the server. */
  callbackTimeout?: number;
  /**
   * The domain of the id cookies, e.g. `example.com` to share the anonymous id between
   * `www.example.com` and `shop.example.com`. By default they belong to the page's host.
   */
  cookieDomain?: string;
}

export type Settings = Required<Omit<LoadOptions, 'host' | 'cookieDomain'>>;

/** 200 ms rather than analytics.js's seconds: live decisions should follow events fast. */
export const defaultSettings = (): Settings => ({
  flushAt: 20,
  flushInterval: 200,
  maxQueued: 1000,
  retryBase: 500,
  retryMax: 30_000,
  decideTimeout: 1500,
  callbackTimeout: 300,
});

/** `https://cdp.example/` → `https://cdp.example`; a host without a scheme (analytics.js's
 * apiHost style) gets https. */
export function apiOrigin(host: string): string {
  const trimmed = host.replace(/\/+$/, '');
  return /^[a-z]+:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
}
