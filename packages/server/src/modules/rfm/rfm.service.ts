import type {
  RfmRecomputeResult,
  RfmSegmentDefinitionView,
  RfmSegmentsInstallResult,
  RfmSnapshot,
} from '@attune/contracts';
import {
  formatIsoTimestamp,
  rfmBreakpoints,
  rfmSegmentDefinitions,
  sameRfmBreakpoints,
  type RfmBreakpoints,
  type RfmCustomer,
} from '@attune/engine';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../../platform/clock.js';
import { rfmView } from '../profiles/computed-view.js';
import type { ProfileStore } from '../profiles/profile.store.js';
import { SegmentRequestError, type SegmentsService } from '../segments/segments.service.js';
import type { RfmSnapshotsStore, StoredRfmSnapshot } from './rfm-snapshots.store.js';

/** An expected failure of an RFM request; the routes turn it into problem+json. */
export class RfmRequestError extends Error {
  constructor(
    readonly code: 'rfm_not_computed',
    detail: string,
  ) {
    super(detail);
    this.name = 'RfmRequestError';
  }
}

/** A recompute given up because the service is closing. */
export class RfmRecomputeAborted extends Error {
  constructor() {
    super('RFM recompute stopped: Attune is shutting down');
    this.name = 'RfmRecomputeAborted';
  }
}

export interface RfmServiceDeps {
  snapshots: RfmSnapshotsStore;
  /** The request thread's read-only view of state.db. */
  profiles: Pick<ProfileStore, 'computedAfter'>;
  segments: Pick<SegmentsService, 'create'>;
  clock: Clock;
  /** Profiles read per slice; the event loop gets a turn between slices. */
  slice?: number;
}

/**
 * RFM quintiles: recomputes the breakpoints over every profile's RFM (one `now` for the
 * whole scan) and keeps them as a new snapshot version when they moved, serves the latest
 * one to the readers that score profiles, and installs the ready-made RFM segments.
 */
export class RfmService {
  private running: Promise<RfmRecomputeResult> | null = null;
  /** Clock time of the last recompute that finished, in this process. */
  private lastRunAt: number | null = null;
  private closed = false;

  constructor(private readonly deps: RfmServiceDeps) {}

  latest(): RfmSnapshot {
    const latest = this.deps.snapshots.latest();
    if (latest === undefined)
      throw new RfmRequestError(
        'rfm_not_computed',
        'No RFM breakpoints yet: they are computed on a schedule once there are orders, or now with POST /v1/rfm/recompute',
      );
    return snapshotView(latest);
  }

  snapshots(limit: number): RfmSnapshot[] {
    return this.deps.snapshots.list(limit).map(snapshotView);
  }

  /** The breakpoints profiles are scored against, or null before the first snapshot. */
  breakpoints(): RfmBreakpoints | null {
    return this.deps.snapshots.latest()?.breakpoints ?? null;
  }

  /** When the breakpoints were last computed (or confirmed unchanged); null if never. */
  lastComputedAt(): number | null {
    const saved = this.deps.snapshots.latest()?.computedAt ?? null;
    if (saved === null) return this.lastRunAt;
    return this.lastRunAt === null ? saved : Math.max(saved, this.lastRunAt);
  }

  /** Recomputes now; a call while one runs joins it. */
  recompute(): Promise<RfmRecomputeResult> {
    if (this.closed) return Promise.reject(new RfmRecomputeAborted());
    return (this.running ??= this.run().finally(() => {
      this.running = null;
    }));
  }

  segmentDefinitions(): RfmSegmentDefinitionView[] {
    return rfmSegmentDefinitions.map((d) => ({
      id: d.id,
      name: d.name,
      description: d.description,
      cells: d.cells,
      condition: d.condition,
    }));
  }

  /** Creates the ready-made segments whose ids are free; the others are left as they are. */
  installSegments(): RfmSegmentsInstallResult {
    const created: string[] = [];
    const skipped: string[] = [];
    for (const d of rfmSegmentDefinitions) {
      try {
        this.deps.segments.create({
          id: d.id,
          name: d.name,
          description: d.description,
          condition: d.condition,
        });
        created.push(d.id);
      } catch (error) {
        if (!(error instanceof SegmentRequestError && error.code === 'conflict')) throw error;
        skipped.push(d.id);
      }
    }
    return { created, skipped };
  }

  /** Stops a running recompute at its next slice and waits for it. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running?.catch(() => undefined);
  }

  private async run(): Promise<RfmRecomputeResult> {
    const started = performance.now();
    const now = this.deps.clock.now();
    const slice = this.deps.slice ?? 2000;
    const customers: RfmCustomer[] = [];
    let scanned = 0;
    let cursor = '';
    for (;;) {
      const page = this.deps.profiles.computedAfter(cursor, slice);
      for (const { id, computed } of page) {
        cursor = id;
        scanned++;
        const rfm = rfmView(computed, now);
        if (rfm.recencyDays !== null && rfm.frequency > 0)
          customers.push({
            recencyDays: rfm.recencyDays,
            frequency: rfm.frequency,
            monetary: rfm.monetary,
          });
      }
      if (page.length < slice) break;
      // A large scan must not hold up ingest on this thread.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.closed) throw new RfmRecomputeAborted();
    }
    const breakpoints = rfmBreakpoints(customers);
    let snapshot = this.deps.snapshots.latest();
    let changed = false;
    // Equal breakpoints keep their version: readers and segments see no change.
    if (
      breakpoints !== null &&
      (snapshot === undefined || !sameRfmBreakpoints(snapshot.breakpoints, breakpoints))
    ) {
      snapshot = this.deps.snapshots.save({
        computedAt: now,
        customers: customers.length,
        breakpoints,
      });
      changed = true;
    }
    this.lastRunAt = now;
    return {
      snapshot: snapshot === undefined ? null : snapshotView(snapshot),
      changed,
      profilesScanned: scanned,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
  }
}

function snapshotView(s: StoredRfmSnapshot): RfmSnapshot {
  return {
    version: s.version,
    computedAt: formatIsoTimestamp(s.computedAt),
    customers: s.customers,
    breakpoints: s.breakpoints,
  };
}
