import type { Condition } from '@attune/contracts';

/** What a user defines; every create or update stores it as a new version. */
export interface SegmentDefinition {
  name: string;
  description: string | null;
  condition: Condition;
}

export interface SegmentRecord extends SegmentDefinition {
  id: string;
  version: number;
  createdAt: number;
  updatedAt: number;
  /** Set once deleted; the id is never reused. */
  deletedAt: number | null;
}

export interface SegmentVersionRecord extends SegmentDefinition {
  version: number;
  createdAt: number;
}

/** What the processor evaluates: the current version of each segment that is not deleted. */
export interface ActiveSegmentDefinition {
  id: string;
  version: number;
  condition: Condition;
}

/** Segment definitions (primary data, beside the log). Synchronous: small, local queries. */
export interface SegmentDefinitionsStore {
  /** Stores version 1. The caller has checked that the id is free. */
  create(id: string, definition: SegmentDefinition, at: number): SegmentRecord;
  /** Stores the next version; undefined when the segment is unknown or deleted. */
  update(id: string, definition: SegmentDefinition, at: number): SegmentRecord | undefined;
  /** False when the segment is unknown or already deleted. */
  softDelete(id: string, at: number): boolean;
  /** Deleted ones too (see `deletedAt`): their ids stay taken. */
  get(id: string): SegmentRecord | undefined;
  /** Segments not deleted, by id. */
  list(): SegmentRecord[];
  /** Every version, oldest first. */
  versions(id: string): SegmentVersionRecord[];
  /**
   * Id, version and condition of every segment not deleted, by id. Called often by the
   * processor: a condition is parsed once per version, and an unchanged segment keeps
   * returning the same object.
   */
  activeDefinitions(): ActiveSegmentDefinition[];
}
