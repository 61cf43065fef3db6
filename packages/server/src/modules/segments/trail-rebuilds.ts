import type { TrailSpec } from '@attune/engine';
import type { ProfileData, ProfileStore } from '../profiles/profile.store.js';
import { BackfillReadAhead, chunkReader, type ReadChunkAhead } from './backfill-read-ahead.js';
import { rebuildTrails } from './segment-backfill.js';
import { trailHitsReader, type ReadTrailHits, type ReadTracks } from './trail-hits.js';

/**
 * The segments step's trail refolds: one profile's (a merge joined timelines) and a
 * backfill's chunk by chunk, the next chunk read ahead while the step works on this one.
 */
export class TrailRebuilds {
  private readonly rebuildDeps: {
    profiles: Pick<ProfileStore, 'chunkOffsets'>;
    readTrailHits: ReadTrailHits;
  };
  private readonly ahead: BackfillReadAhead;

  constructor(deps: {
    profiles: Pick<ProfileStore, 'chunkOffsets' | 'idsAfter' | 'eventOffsets'>;
    readTracks: ReadTracks;
    /** Reads ahead on another thread (TrailReaderThread); default: on this one. */
    readAhead?: ReadChunkAhead;
  }) {
    const readTrailHits = trailHitsReader(deps.readTracks);
    this.rebuildDeps = { profiles: deps.profiles, readTrailHits };
    this.ahead = new BackfillReadAhead(deps.readAhead ?? chunkReader(deps.profiles, readTrailHits));
  }

  /** Refolds these trails of the profiles from their whole timelines. */
  rebuild(profiles: readonly ProfileData[], specs: readonly TrailSpec[]): Promise<void> {
    return rebuildTrails(profiles, specs, this.rebuildDeps);
  }

  /**
   * Refolds a backfill chunk's trails, with what was read ahead for it; then starts reading
   * the chunk after it (`next`), unless this was the last.
   */
  async rebuildChunk(
    profiles: readonly ProfileData[],
    specs: readonly TrailSpec[],
    next: { afterId: string; limit: number } | null,
  ): Promise<void> {
    const prefetched = await this.ahead.take();
    await rebuildTrails(profiles, specs, this.rebuildDeps, prefetched);
    if (next !== null) this.ahead.start(next.afterId, next.limit, specs);
  }

  /** Forgets what was read ahead (the transaction rolled back, or data was erased). */
  discard(): void {
    this.ahead.discard();
  }
}
