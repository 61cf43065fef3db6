import { Attune, type LoadOptions } from './attune.js';
import { browserEnv } from './browser-env.js';

export { Attune } from './attune.js';
export type { Delivery, LoadOptions } from './attune.js';
export type { CallOptions } from './arguments.js';
export type { ConsentChoice, Purposes } from './consent.js';
export type { Decision, Decisions } from './decide.js';
export { browserEnv } from './browser-env.js';

/** An SDK instance for this page, loaded with the source's write key. `host` defaults to
 * the page's own origin (Attune behind the same domain). */
export function createAttune(writeKey: string, options: LoadOptions = {}): Attune {
  return new Attune(browserEnv()).load(writeKey, options);
}
