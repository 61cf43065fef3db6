import { trailMatches, type TrailSpec } from '@attune/engine';
import type { TrackRead } from '../event-log/event-log.store.js';

/** Reads the track events of these offsets named in `events` (EventLog.readTracks). */
export type ReadTracks = (
  offsets: number[],
  events: readonly string[],
  withProperties: readonly string[],
) => Promise<TrackRead[]>;

/**
 * Which trails the events at some offsets count in, as one flat array of numbers, per
 * event: offset, timestamp, how many specs it matches, then their indices in the specs
 * given. Numbers only, so it crosses to another thread as one transferred buffer: a
 * backfill reads the next chunk's events on a reader thread (TrailReaderThread).
 */
export type TrailHits = Float64Array;

/** Reads and matches the events at these offsets (see TrailHits). */
export type ReadTrailHits = (
  offsets: readonly number[],
  specs: readonly TrailSpec[],
) => Promise<TrailHits>;

/** Offsets read from the log at a time. */
const readSlice = 5000;

/** The specs' event names, and the names whose filters read properties. */
export function specEvents(specs: readonly TrailSpec[]): {
  names: string[];
  withProperties: string[];
} {
  const names = [...new Set(specs.map((s) => s.event))];
  const withProperties = names.filter((name) =>
    specs.some((s) => s.event === name && s.where.length > 0),
  );
  return { names, withProperties };
}

/** TrailHits of these events (read with `specEvents(specs)`). */
export function trailHitsOf(reads: readonly TrackRead[], specs: readonly TrailSpec[]): TrailHits {
  const byEvent = new Map<string, number[]>();
  specs.forEach((spec, i) => {
    const list = byEvent.get(spec.event);
    if (list === undefined) byEvent.set(spec.event, [i]);
    else list.push(i);
  });
  const out: number[] = [];
  for (const read of reads) {
    const candidates = byEvent.get(read.event);
    if (candidates === undefined) continue;
    const event = {
      name: read.event,
      properties: read.properties ?? {},
      timestamp: read.timestamp,
    };
    const at = out.length;
    out.push(read.offset, read.timestamp, 0);
    for (const i of candidates) {
      if (trailMatches(specs[i] as TrailSpec, event)) out.push(i);
    }
    const hits = out.length - at - 3;
    if (hits === 0) out.length = at;
    else out[at + 2] = hits;
  }
  return Float64Array.from(out);
}

/** ReadTrailHits over a log reader, in slices of offsets. */
export function trailHitsReader(readTracks: ReadTracks): ReadTrailHits {
  return async (offsets, specs) => {
    const { names, withProperties } = specEvents(specs);
    if (offsets.length === 0 || names.length === 0) return new Float64Array(0);
    const sorted = [...offsets].sort((a, b) => a - b);
    const parts: TrailHits[] = [];
    for (let i = 0; i < sorted.length; i += readSlice) {
      const reads = await readTracks(sorted.slice(i, i + readSlice), names, withProperties);
      parts.push(trailHitsOf(reads, specs));
    }
    return concatHits(parts);
  };
}

function concatHits(parts: readonly TrailHits[]): TrailHits {
  if (parts.length === 1) return parts[0] as TrailHits;
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Calls `fn(offset, timestamp, specIndex)` for every hit. */
export function forEachHit(
  hits: TrailHits,
  fn: (offset: number, timestamp: number, specIndex: number) => void,
): void {
  for (let at = 0; at < hits.length;) {
    const offset = hits[at] as number;
    const timestamp = hits[at + 1] as number;
    const count = hits[at + 2] as number;
    for (let k = 0; k < count; k++) fn(offset, timestamp, hits[at + 3 + k] as number);
    at += 3 + count;
  }
}

/**
 * Hits read ahead of time for the offsets listed (all of them, matched or not), with the
 * specs they were matched against: only a rebuild of exactly those specs may use them.
 */
export interface PrefetchedHits {
  signature: string;
  offsets: ReadonlySet<number>;
  hits: TrailHits;
}

/** Identifies a list of specs for PrefetchedHits. */
export function specsSignature(specs: readonly TrailSpec[]): string {
  return JSON.stringify(specs);
}
