import type { Identifier } from '@attune/engine';

/** A data subject: their profiles (survivor and merged-away ids) and identifiers. */
export interface Subject {
  profileIds: string[];
  identifiers: Identifier[];
}

export interface ErasedSubject extends Subject {
  /** Rows deleted per `file.table`. */
  deleted: Record<string, number>;
}

/** Where a verification scan still found the subject. */
export interface Remainder {
  file: string;
  table: string;
  column: string;
  rows: number;
}
