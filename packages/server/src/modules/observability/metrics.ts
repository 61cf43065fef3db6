import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IngestMetrics } from '../ingestion/ingestion.service.js';

export interface MetricSources {
  lastOffset(): Promise<number>;
  logBytes(): number;
  /** Log transactions committed since start (group commit: fewer than requests). */
  logCommits(): number;
  /** Committed offset of each processor. */
  processorOffsets(): Record<string, number>;
}

/** The Prometheus registry and the instruments the modules report to. */
export function createMetrics(sources: MetricSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const accepted = new Counter({
    name: 'attune_events_accepted_total',
    help: 'Events stored in the log',
    labelNames: ['source'],
    registers: [registry],
  });
  const duplicates = new Counter({
    name: 'attune_events_duplicate_total',
    help: 'Events acknowledged as duplicates of a stored messageId',
    labelNames: ['source'],
    registers: [registry],
  });
  const flagged = new Counter({
    name: 'attune_events_flagged_total',
    help: "Events stored although they violate their source's tracking plan (flag mode)",
    labelNames: ['source'],
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'attune_events_rejected_total',
    help: 'Rejected requests or messages, by error code',
    labelNames: ['code'],
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'attune_events_dropped_total',
    help: 'Events deliberately not stored, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'attune_ingest_batch_size',
    help: 'Messages per ingest request',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2500],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'attune_ingest_request_duration_seconds',
    help: 'Ingest request latency, from body parsed to durable acknowledgement',
    labelNames: ['endpoint'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new Gauge({
    name: 'attune_event_log_last_offset',
    help: 'Highest offset in the event log',
    registers: [registry],
    async collect() {
      this.set(await sources.lastOffset());
    },
  });
  new Gauge({
    name: 'attune_event_log_bytes',
    help: 'Size of the embedded database and its WAL on disk',
    registers: [registry],
    collect() {
      this.set(sources.logBytes());
    },
  });
  new Gauge({
    name: 'attune_event_log_commits',
    help: 'Transactions committed to the event log since start; each holds every request waiting at that moment',
    registers: [registry],
    collect() {
      this.set(sources.logCommits());
    },
  });
  new Gauge({
    name: 'attune_processor_lag_events',
    help: 'Events in the log not yet processed, per processor',
    labelNames: ['processor'],
    registers: [registry],
    async collect() {
      const last = await sources.lastOffset();
      for (const [name, offset] of Object.entries(sources.processorOffsets())) {
        this.set({ processor: name }, Math.max(0, last - offset));
      }
    },
  });

  const ingest: IngestMetrics = {
    accepted: (source, count) => accepted.inc({ source }, count),
    duplicates: (source, count) => duplicates.inc({ source }, count),
    flagged: (source, count) => flagged.inc({ source }, count),
    rejected: (code) => rejected.inc({ code }),
    dropped: (reason) => dropped.inc({ reason }),
    batchSize: (count) => batchSize.observe(count),
  };
  return {
    registry,
    ingest,
    observeIngestLatency: (seconds: number, endpoint: string) =>
      latency.observe({ endpoint }, seconds),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
