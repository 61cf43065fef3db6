import { Attune } from './attune.js';
import type { LoadOptions } from './options.js';

export { Attune } from './attune.js';
export type { Delivery } from './attune.js';
export type { CallOptions } from './arguments.js';
export type { ConsentChoice, Purposes } from './consent.js';
export type { Decision, Decisions } from './decide.js';
export type { LoadOptions } from './options.js';

/** An SDK instance for this page, loaded with the source's write key. `host` defaults to
 * the page's own origin (Attune behind the same domain). */
export function createAttune(writeKey: string, options: LoadOptions = {}): Attune {
  return new Attune().load(writeKey, options);
}
