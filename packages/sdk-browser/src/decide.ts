import type { Json } from './json.js';
import type { Env } from './env.js';

/** One placement's answer, as /v1/decide and /v1/live give it. */
export interface Decision {
  placement: string;
  variantId: string;
  payload: unknown;
  /** The variant's template rendered (HTML-escaped unless the template says otherwise). */
  rendered: string | null;
  ruleId: string | null;
  reason: string;
  /** Send it back with `decisionClicked` to credit the decision. */
  decisionId: string;
  fallback: boolean;
}

export type Decisions = Record<string, Decision>;

export interface DecideRequest {
  writeKey: string;
  anonymousId: string;
  userId?: string;
  placements: string[];
  context: Json;
}

/** Decisions by placement, keyed for `decisions.home_hero`. */
export function byPlacement(list: Decision[]): Decisions {
  const decisions: Decisions = {};
  for (const decision of list) decisions[decision.placement] = decision;
  return decisions;
}

/**
 * POST /v1/decide. It never rejects: on a network error, a refusal or after `timeoutMs` it
 * resolves `{}` (with a warning), so the page keeps the content it was built with.
 */
export async function decide(
  env: Env,
  url: string,
  request: DecideRequest,
  timeoutMs: number,
): Promise<Decisions> {
  const abort = typeof AbortController === 'function' ? new AbortController() : undefined;
  let timer: unknown;
  const timeout = new Promise<never>((_, reject) => {
    timer = env.setTimer(() => {
      abort?.abort();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    const response = await Promise.race([
      env.fetch(url, {
        method: 'POST',
        // text/plain JSON: a simple request, so no CORS preflight before each decide.
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify(request),
        ...(abort ? { signal: abort.signal } : {}),
      }),
      timeout,
    ]);
    const text = await Promise.race([response.text(), timeout]);
    if (response.status !== 200) throw new Error(`${response.status} ${text.slice(0, 300)}`);
    return byPlacement((JSON.parse(text) as { decisions: Decision[] }).decisions);
  } catch (error) {
    env.warn('decide failed; keep the default content.', String(error));
    return {};
  } finally {
    env.clearTimer(timer);
  }
}
