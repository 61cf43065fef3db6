import type { TestApp } from '../test-app.fixture.js';
import type { FuzzHarness } from './fuzz-harness.fixture.js';
import { pollutionKeys, probeKey } from './hostile-values.fixture.js';
import { prototypeKeys, type PrototypeKeys } from '../../platform/prototype-keys.js';

export type PrototypeSnapshot = PrototypeKeys;

/** This thread's built-in prototype keys (the processor thread answers its own). */
export const snapshotPrototypes = prototypeKeys;

/** What a pollution of this (request) thread would show; empty when clean. */
export function pollutionSigns(): string[] {
  const signs: string[] = [];
  const probes: Record<string, unknown> = { object: {}, array: [], fn: () => 0 };
  for (const [what, value] of Object.entries(probes)) {
    if ((value as Record<string, unknown>)[probeKey] !== undefined)
      signs.push(`${what}.${probeKey} is inherited`);
  }
  if (Object.getPrototypeOf({}) !== Object.prototype) signs.push('{} has a new prototype');
  for (const key of pollutionKeys) {
    if (key.includes('.') || key === '__proto__') continue;
    const own = Object.getOwnPropertyDescriptor(Object.prototype, key);
    if (own !== undefined && typeof own.value !== 'function')
      signs.push(`Object.prototype.${key} was overwritten`);
  }
  return signs;
}

/** Waits until the processor has processed everything in the log (relays included). */
export async function settle(t: TestApp, timeoutMs = 30_000): Promise<void> {
  const processor = t.app.processor;
  if (processor === null) throw new Error('the fuzz test needs the processor on');
  const deadline = Date.now() + timeoutMs;
  // Relays append merge, segment and stage events after a commit: wait until nothing moves.
  for (;;) {
    const last = await t.app.eventLog.lastOffset();
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`the processor did not catch up with offset ${last}`);
    await Promise.race([
      processor.caughtUp(last),
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`processor stuck at ${processor.committedOffset} < ${last}`)),
          left,
        ),
      ),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    if ((await t.app.eventLog.lastOffset()) === last) return;
  }
}

/** Every answered sibling is in the log; a sample is checked as a processed profile. */
export async function checkSiblings(
  t: TestApp,
  harness: FuzzHarness,
  sample = 150,
): Promise<string[]> {
  const problems: string[] = [];
  const stored = new Set<string>();
  const last = await t.app.eventLog.lastOffset();
  for (let after = 0; after < last;) {
    const page = await t.app.eventLog.read(after, 5000);
    if (page.length === 0) break;
    for (const e of page) stored.add(e.messageId);
    after = page[page.length - 1]!.offset;
  }
  for (const s of harness.siblings)
    if (!stored.has(s.messageId)) problems.push(`sibling ${s.messageId} is not in the log`);

  const step = Math.max(1, Math.floor(harness.siblings.length / sample));
  for (let i = 0; i < harness.siblings.length; i += step) {
    const { userId, messageId } = harness.siblings[i]!;
    const res = await admin(t, `/v1/profiles/user_id:${encodeURIComponent(userId)}`);
    if (res.statusCode !== 200) {
      problems.push(`profile of ${userId} answered ${res.statusCode}`);
      continue;
    }
    const { traits } = res.json<{ traits: Record<string, unknown> }>();
    problems.push(...traitProblems(userId, traits));
    const events = await admin(t, `/v1/events?userId=${encodeURIComponent(userId)}&limit=10`);
    const ids = events.json<{ events: { messageId: string }[] }>().events.map((e) => e.messageId);
    if (!ids.includes(messageId)) problems.push(`GET /v1/events does not list ${messageId}`);
  }
  return problems;
}

/** Keys like `__proto__` may be kept as plain data or dropped, never become a prototype. */
function traitProblems(userId: string, traits: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (Object.getPrototypeOf(traits) !== Object.prototype)
    problems.push(`${userId}: traits have another prototype`);
  if (probeKey in traits) problems.push(`${userId}: traits.${probeKey} is set`);
  if (Object.hasOwn(traits, '__proto__')) {
    const proto = traits['__proto__'] as Record<string, unknown> | null;
    if (proto === null || typeof proto !== 'object' || !Object.hasOwn(proto, probeKey))
      problems.push(`${userId}: traits.__proto__ is not the data sent`);
  }
  return problems;
}

export function admin(t: TestApp, url: string) {
  return t.app.http.inject({ method: 'GET', url, headers: { authorization: t.bearerAdmin } });
}

export async function adminWrite(
  t: TestApp,
  method: 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload: unknown,
) {
  const res = await t.app.http.inject({
    method,
    url,
    headers: { authorization: t.bearerAdmin, 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${res.body}`);
  return res;
}
