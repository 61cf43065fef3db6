/**
 * Reads Attune's state from outside, over HTTP: /metrics (Prometheus text) and the admin
 * read API GET /v1/events.
 */

export interface AttuneMetrics {
  lastOffset: number;
  /** attune_processor_lag_events{processor="main"}; undefined if the metric is missing. */
  lag: number | undefined;
  accepted: number;
  duplicates: number;
  /** Log transactions since start (group commit), if reported. */
  commits: number | undefined;
  logBytes: number | undefined;
}

interface Sample {
  labels: string;
  value: number;
}

function parsePrometheus(text: string): Map<string, Sample[]> {
  const metrics = new Map<string, Sample[]>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match === null) continue;
    const [, name = '', labels = '', value = ''] = match;
    const samples = metrics.get(name) ?? [];
    samples.push({ labels, value: Number(value) });
    metrics.set(name, samples);
  }
  return metrics;
}

export async function scrapeMetrics(baseUrl: string): Promise<AttuneMetrics> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  const metrics = parsePrometheus(await response.text());
  const sum = (name: string): number | undefined => {
    const samples = metrics.get(name);
    return samples === undefined ? undefined : samples.reduce((s, x) => s + x.value, 0);
  };
  const lastOffset = sum('attune_event_log_last_offset');
  if (lastOffset === undefined) throw new Error('/metrics has no attune_event_log_last_offset');
  return {
    lastOffset,
    lag: metrics
      .get('attune_processor_lag_events')
      ?.find((s) => s.labels.includes('processor="main"'))?.value,
    accepted: sum('attune_events_accepted_total') ?? 0,
    duplicates: sum('attune_events_duplicate_total') ?? 0,
    commits: sum('attune_event_log_commits'),
    logBytes: sum('attune_event_log_bytes'),
  };
}

interface EventsPage {
  events: { offset: number; messageId: string }[];
  lastOffset: number;
}

async function readEvents(
  baseUrl: string,
  adminKey: string,
  after: number,
  limit: number,
): Promise<EventsPage> {
  const response = await fetch(`${baseUrl}/v1/events?after=${after}&limit=${limit}`, {
    headers: { authorization: `Bearer ${adminKey}` },
  });
  if (!response.ok) {
    throw new Error(`GET /v1/events answered ${response.status}: ${await response.text()}`);
  }
  return (await response.json()) as EventsPage;
}

/** lastOffset as the admin read API reports it. */
export async function logLastOffset(baseUrl: string, adminKey: string): Promise<number> {
  return (await readEvents(baseUrl, adminKey, 0, 1)).lastOffset;
}

export interface TailCheck {
  events: number;
  distinctMessageIds: number;
}

/** Reads the newest `count` events back: are they there, with distinct messageIds? */
export async function checkTail(
  baseUrl: string,
  adminKey: string,
  lastOffset: number,
  count = 1000,
): Promise<TailCheck> {
  const page = await readEvents(baseUrl, adminKey, Math.max(0, lastOffset - count), count);
  return {
    events: page.events.length,
    distinctMessageIds: new Set(page.events.map((e) => e.messageId)).size,
  };
}
