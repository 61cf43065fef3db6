import type { TrailSpec } from '@attune/engine';
import type { ProfileStore } from '../profiles/profile.store.js';
import {
  specsSignature,
  type PrefetchedHits,
  type ReadTrailHits,
  type TrailHits,
} from './trail-hits.js';

/** The offsets of a chunk's events that were read ahead (all listed), and their hits. */
export interface ChunkReadAhead {
  /** Numbers only, so the read crosses threads as transferred buffers. */
  offsets: Float64Array;
  hits: TrailHits;
}

/** Reads ahead the events of the `limit` profiles after `afterId`, for these specs. */
export type ReadChunkAhead = (
  afterId: string,
  limit: number,
  specs: readonly TrailSpec[],
) => Promise<ChunkReadAhead>;

/**
 * ReadChunkAhead over a profile store and a log reader. On the trail reader thread they
 * are its own connections, which see the last commit: offsets of the processor's open
 * transaction are missed there, and read when the chunk is rebuilt.
 */
export function chunkReader(
  profiles: Pick<ProfileStore, 'idsAfter' | 'eventOffsets'>,
  read: ReadTrailHits,
): ReadChunkAhead {
  return async (afterId, limit, specs) => {
    const offsets: number[] = [];
    for (const id of profiles.idsAfter(afterId, limit)) {
      const all = profiles.eventOffsets(id, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      for (const offset of all) offsets.push(offset);
    }
    return { offsets: Float64Array.from(offsets), hits: await read(offsets, specs) };
  };
}

interface Pending {
  signature: string;
  read: Promise<ChunkReadAhead | null>;
}

/**
 * Reads a backfill's next chunk of profiles' events while the processor evaluates, saves
 * and commits this one: on a reader thread, listing and reading events all over the log no
 * longer holds up the processor. Whoever owns the offsets when the chunk is rebuilt, and
 * offsets gained since, are settled then (rebuildTrails).
 */
export class BackfillReadAhead {
  private pending: Pending | null = null;

  constructor(private readonly read: ReadChunkAhead) {}

  /** Starts reading the events of the `limit` profiles after `afterId` for these specs. */
  start(afterId: string, limit: number, specs: readonly TrailSpec[]): void {
    // A failed read-ahead costs nothing but time: the chunk is read when rebuilt.
    const read = this.read(afterId, limit, specs).catch(() => null);
    this.pending = { signature: specsSignature(specs), read };
  }

  /** What was read ahead, once (waiting for it if it is still being read). */
  async take(): Promise<PrefetchedHits | undefined> {
    const pending = this.pending;
    this.pending = null;
    if (pending === null) return undefined;
    const read = await pending.read;
    if (read === null) return undefined;
    return {
      signature: pending.signature,
      offsets: new Set(read.offsets),
      hits: read.hits,
    };
  }

  discard(): void {
    this.pending = null;
  }
}
