/**
 * The benchmark's own messages: an identify per profile (an email address and a name for
 * the email step), then one entry event per profile. POSTed to /v1/batch a few requests at
 * a time from this process.
 */
import { authorization } from '../segments/server.js';

export const entryEvent = 'Bench Entered';
const perRequest = 500;
const concurrency = 4;

export const userIdOf = (i: number): string => `u${i}`;
export const emailOf = (i: number): string => `u${i}@bench.example`;

export interface Sent {
  messages: number;
  requests: number;
  /** Date.now() before the first request and after the last answer. */
  startedAt: number;
  endedAt: number;
}

function identify(i: number, timestamp: string): object {
  return {
    type: 'identify',
    userId: userIdOf(i),
    traits: { email: emailOf(i), name: `Person ${i}` },
    messageId: `bench-identify-${i}`,
    timestamp,
  };
}

function entry(i: number, timestamp: string): object {
  return {
    type: 'track',
    userId: userIdOf(i),
    event: entryEvent,
    properties: { cohort: i % 10 },
    messageId: `bench-entry-${i}`,
    timestamp,
  };
}

/** POSTs `make(i)` for i in [0, profiles) in batches, `concurrency` requests in flight. */
async function send(
  url: string,
  profiles: number,
  make: (i: number, timestamp: string) => object,
): Promise<Sent> {
  const headers = { 'content-type': 'application/json', authorization };
  const requests = Math.ceil(profiles / perRequest);
  let next = 0;
  const startedAt = Date.now();
  const worker = async (): Promise<void> => {
    while (next < requests) {
      const first = next++ * perRequest;
      const timestamp = new Date().toISOString();
      const batch = [];
      for (let i = first; i < Math.min(first + perRequest, profiles); i++)
        batch.push(make(i, timestamp));
      const response = await fetch(`${url}/v1/batch`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ batch }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`POST /v1/batch answered ${response.status}: ${text}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { messages: profiles, requests, startedAt, endedAt: Date.now() };
}

export const identifyProfiles = (url: string, profiles: number): Promise<Sent> =>
  send(url, profiles, identify);

export const sendEntries = (url: string, profiles: number): Promise<Sent> =>
  send(url, profiles, entry);
