import { Attune } from './attune.js';
import { browserEnv } from './browser-env.js';

/**
 * The script-tag build: `<script src="https://attune.example.com/sdk/attune.js"></script>`
 * makes `window.attune`, whose default host is the origin the script came from. With
 * `data-write-key="wk_…"` on the tag it loads itself; otherwise call
 * `attune.load('wk_…')`. Calls queued before the script ran, as
 * `window.attune = [['track', 'Signed Up'], …]`, are replayed in order.
 */
type Queued = [string, ...unknown[]];

const script = document.currentScript as HTMLScriptElement | null;
const origin = script?.src ? new URL(script.src).origin : undefined;
const attune = new Attune(browserEnv(), origin);
const queued: unknown = (window as { attune?: unknown }).attune;
(window as { attune?: Attune }).attune = attune;

const writeKey = script?.dataset['writeKey'];
if (writeKey) attune.load(writeKey);
if (Array.isArray(queued))
  for (const [method, ...args] of queued as Queued[]) {
    const call = (attune as unknown as Record<string, unknown>)[method];
    if (typeof call === 'function') (call as (...a: unknown[]) => unknown).apply(attune, args);
  }
