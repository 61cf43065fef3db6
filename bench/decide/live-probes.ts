/**
 * Live pushes: a new visitor's page subscribes to the probe placement over /v1/live, then
 * the visitor sends the event that puts them in the probe segment; the latency is from the
 * event's acknowledgement to the push of the new decision. Probes run one after another.
 */
import WebSocket from 'ws';
import { Random } from '../ingest/random.js';

export const probeSegment = {
  id: 'live-probe',
  name: 'Live probe',
  condition: { type: 'event', event: 'Probe Added' },
} as const;

export const probePlacement = {
  id: 'live_probe',
  name: 'Live probe',
  rules: [
    {
      id: 'probed',
      condition: { type: 'segment', segment: probeSegment.id },
      variant: { id: 'reminder', payload: { text: 'Your cart misses you' } },
    },
  ],
  fallback: { id: 'default' },
};

export interface LiveProbeResult {
  /** ms from the event's 200 to the push, sorted. */
  latencies: number[];
  /** Probes whose push did not come within the timeout. */
  missed: number;
}

interface Message {
  type: string;
  decisions?: { variantId: string }[];
}

async function probe(
  url: string,
  writeKey: string,
  authorization: string,
  anonymousId: string,
  timeoutMs: number,
): Promise<number | null> {
  const socket = new WebSocket(
    `${url.replace('http', 'ws')}/v1/live?writeKey=${encodeURIComponent(writeKey)}&anonymousId=${anonymousId}`,
  );
  let pushedAt: number | null = null;
  let first: (() => void) | null = null;
  let pushed: (() => void) | null = null;
  const firstAnswer = new Promise<void>((resolve) => (first = resolve));
  const push = new Promise<void>((resolve) => (pushed = resolve));
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as Message;
    if (message.type !== 'decisions') return;
    if (message.decisions?.[0]?.variantId === 'reminder') {
      pushedAt = performance.now();
      pushed?.();
    } else first?.();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'subscribe', placements: [probePlacement.id] }));
  await firstAnswer;
  const response = await fetch(`${url}/v1/track`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({
      anonymousId,
      event: 'Probe Added',
      timestamp: new Date().toISOString(),
    }),
  });
  const ackAt = performance.now();
  if (!response.ok) throw new Error(`track answered ${response.status}: ${await response.text()}`);
  await Promise.race([push, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
  socket.close();
  return pushedAt === null ? null : Math.max(0, pushedAt - ackAt);
}

export async function liveProbes(options: {
  url: string;
  writeKey: string;
  authorization: string;
  probes: number;
  gapMs: number;
  seed: number;
}): Promise<LiveProbeResult> {
  const r = new Random(options.seed);
  const latencies: number[] = [];
  let missed = 0;
  for (let i = 0; i < options.probes; i++) {
    const latency = await probe(
      options.url,
      options.writeKey,
      options.authorization,
      `live-probe-${i}-${r.hex(8)}`,
      5000,
    );
    if (latency === null) missed++;
    else latencies.push(latency);
    await new Promise((resolve) => setTimeout(resolve, options.gapMs));
  }
  latencies.sort((a, b) => a - b);
  return { latencies, missed };
}
