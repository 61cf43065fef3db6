import type { Env } from './env.js';

export const consentKey = 'attune:consent';

/** Purpose → allowed, e.g. `{ analytics: true, marketing_email: false }`. */
export type Purposes = Record<string, boolean>;

export interface ConsentChoice {
  purposes: Purposes;
}

/**
 * The visitor's consent choices, kept in localStorage. The server is where consent is
 * enforced: the SDK only carries the choices on every message (Segment's
 * `context.consent.categoryPreferences`) and the Global Privacy Control signal
 * (`context.gpc`).
 */
export class ConsentStore {
  constructor(private readonly env: Env) {}

  get(): ConsentChoice | null {
    try {
      const stored = JSON.parse(this.env.storage.get(consentKey) ?? 'null') as ConsentChoice | null;
      return stored?.purposes && typeof stored.purposes === 'object' ? stored : null;
    } catch {
      return null;
    }
  }

  /** Merges with earlier choices: a banner that asks about one purpose keeps the others. */
  set(purposes: Purposes): Purposes {
    const merged = { ...this.get()?.purposes, ...purposes };
    this.env.storage.set(consentKey, JSON.stringify({ purposes: merged }));
    return merged;
  }

  /** The context fields every message carries. */
  context(): Record<string, unknown> {
    const choice = this.get();
    return {
      ...(choice ? { consent: { categoryPreferences: choice.purposes } } : {}),
      ...(this.env.gpc ? { gpc: true } : {}),
    };
  }
}
