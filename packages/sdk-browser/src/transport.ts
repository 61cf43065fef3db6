import { retryAfterMs } from './backoff.js';
import type { Json } from './json.js';
import type { Env } from './env.js';

export type Message = Json & { messageId: string };

/** What to do with a batch after one attempt to send it. */
export type SendOutcome =
  | { kind: 'sent' }
  | { kind: 'retry'; afterMs?: number }
  | { kind: 'drop'; status: number; detail: string };

/** The body of POST /v1/batch. The write key rides in the body and the body is sent as
 * text/plain, so a browser needs no CORS preflight (the server accepts both). */
export function batchBody(batch: Message[], writeKey: string, sentAt: string): string {
  return JSON.stringify({ batch, writeKey, sentAt });
}

export const byteLength = (text: string): number => new TextEncoder().encode(text).length;

/** One attempt. Network errors, 5xx and 429 are worth retrying; any other 4xx is final
 * (the server explains it as problem+json, and retrying would get the same answer). */
export async function postBatch(env: Env, url: string, body: string): Promise<SendOutcome> {
  let status: number;
  let response;
  try {
    response = await env.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body,
      // Lets a send started just before the page goes away finish; browsers cap keepalive
      // bodies at 64 KB in total.
      keepalive: body.length < 32_000,
    });
    status = response.status;
  } catch {
    return { kind: 'retry' };
  }
  if (status >= 200 && status < 300) return { kind: 'sent' };
  if (status === 429 || status >= 500) {
    const afterMs = retryAfterMs(response.headers.get('retry-after'), env.now());
    return afterMs === undefined ? { kind: 'retry' } : { kind: 'retry', afterMs };
  }
  let detail = '';
  try {
    const problem = JSON.parse(await response.text()) as { code?: string; detail?: string };
    detail = `${problem.code ?? ''}: ${problem.detail ?? ''}`;
  } catch {
    // not a problem document
  }
  return { kind: 'drop', status, detail };
}

/** Room for `{"batch":[],"writeKey":…,"sentAt":…}` around the messages (keys are ≤ 200). */
const envelope = 300;

/** Messages grouped so each batch body stays under `maxBytes` (a message alone over the
 * limit gets a batch of its own; the server judges it). */
export function chunk(messages: Message[], maxBytes: number, maxCount = 500): Message[][] {
  const chunks: Message[][] = [];
  let current: Message[] = [];
  let size = envelope;
  for (const message of messages) {
    const bytes = byteLength(JSON.stringify(message)) + 1;
    if (current.length > 0 && (size + bytes > maxBytes || current.length >= maxCount)) {
      chunks.push(current);
      current = [];
      size = envelope;
    }
    current.push(message);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
