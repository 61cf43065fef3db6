import { stageSegmentPrefix } from '../../modules/segments/segment-index.js';
import type { ActiveDefinition } from '../../modules/segments/segment-state.store.js';
import { SqliteJourneyMapDefinitionStore } from './journey-map.sqlite.js';
import type { SqliteDatabase } from './open-database.js';
import { SqliteSegmentDefinitionsStore } from './segment-definitions.sqlite.js';

/**
 * The processor's view of attune.db's definitions: current segment versions (not deleted),
 * and the journey map's stages, once a map is set, as internal segments `stage:<name>`.
 */
export function activeSegmentDefinitions(db: SqliteDatabase): () => ActiveDefinition[] {
  const segments = new SqliteSegmentDefinitionsStore(db);
  const journeyMap = new SqliteJourneyMapDefinitionStore(db);
  return () => {
    const map = journeyMap.get();
    const stages: ActiveDefinition[] = (map?.stages ?? []).map((stage, rank) => ({
      id: `${stageSegmentPrefix}${stage.name}`,
      // A new map version re-evaluates every stage.
      version: map?.version ?? 0,
      condition: stage.condition,
      stage: { name: stage.name, rank },
    }));
    return [...segments.activeDefinitions(), ...stages];
  };
}
