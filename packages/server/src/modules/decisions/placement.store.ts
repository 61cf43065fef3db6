import type { FrequencyCap, RuleInput, VariantInput } from '@attune/contracts';

/** What a placement is made of (one version). */
export interface PlacementDefinitionData {
  name: string;
  description: string | null;
  rules: RuleInput[];
  fallback: VariantInput;
  frequencyCap: FrequencyCap | null;
}

export interface PlacementRecord extends PlacementDefinitionData {
  id: string;
  version: number;
  createdAt: number;
  updatedAt: number;
}

/** Placements in attune.db, versioned: every create and update keeps its version. */
export interface PlacementStore {
  get(id: string): PlacementRecord | undefined;
  /** Not deleted, by id. */
  list(): PlacementRecord[];
  /** Version 1; false when the id is taken (by a deleted one too: ids are not reused). */
  create(id: string, data: PlacementDefinitionData, at: number): PlacementRecord | null;
  /** The next version; undefined when there is no such placement. */
  update(id: string, data: PlacementDefinitionData, at: number): PlacementRecord | undefined;
  /** Whether a placement has ever had this id (deleted ones keep theirs). */
  idUsed(id: string): boolean;
  /** Whether it existed. */
  delete(id: string, at: number): boolean;
}
