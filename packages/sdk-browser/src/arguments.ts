import { isObject, type Json } from './json.js';

/** What analytics.js's `options` argument may carry. */
export interface CallOptions {
  context?: Json;
  timestamp?: Date | string;
  anonymousId?: string;
  integrations?: Record<string, unknown>;
  messageId?: string;
}

export type Callback<T> = (result: T) => void;

/**
 * analytics.js lets callers skip optional arguments (`track('x', cb)`,
 * `page('Home', {…})`, `identify({traits})`); this sorts them the same way: up to
 * `leading` ids or names first (strings, numbers, null), then up to two plain objects
 * (fields, then options), and a callback anywhere after.
 */
export function sortArguments<T>(
  args: unknown[],
  leading: number,
): { names: (string | null | undefined)[]; objects: [Json, CallOptions]; callback?: Callback<T> } {
  const names: (string | null | undefined)[] = [];
  const objects: Json[] = [];
  let callback: Callback<T> | undefined;
  let i = 0;
  for (; i < args.length && names.length < leading; i++) {
    const arg = args[i];
    if (typeof arg === 'string' || typeof arg === 'number') names.push(String(arg));
    else if (arg === null || arg === undefined) names.push(arg);
    else break;
  }
  for (; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg === 'function') callback = arg as Callback<T>;
    else if (objects.length < 2) objects.push(isObject(arg) ? arg : {});
  }
  return {
    names,
    objects: [objects[0] ?? {}, objects[1] ?? {}],
    ...(callback ? { callback } : {}),
  };
}
