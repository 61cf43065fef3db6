import type { JourneyMapStages } from '@attune/contracts';
import type { ActiveDefinition } from '../../modules/segments/segment-state.store.js';
import type { SqliteDatabase } from './open-database.js';

/**
 * The processor's view of attune.db's definitions: current segment versions (not deleted),
 * and the journey map's stages, once a map is set, as internal segments `stage:<name>`. A
 * condition is parsed once per version.
 */
export function activeSegmentDefinitions(db: SqliteDatabase): () => ActiveDefinition[] {
  const segments = db.prepare('SELECT id, version FROM segments WHERE deleted_at IS NULL').raw();
  const conditionOf = db
    .prepare('SELECT condition FROM segments WHERE id = ? AND version = ?')
    .pluck();
  const map = db.prepare('SELECT version, stages FROM journey_map WHERE id = 1');
  const parsed = new Map<string, unknown>();
  let stages: { version: number; definitions: ActiveDefinition[] } | null = null;
  return () => {
    const active: ActiveDefinition[] = [];
    for (const [id, version] of segments.all() as [string, number][]) {
      const key = `${id}\u0000${version}`;
      let condition = parsed.get(key);
      if (condition === undefined) {
        condition = JSON.parse(conditionOf.get(id, version) as string) as unknown;
        parsed.set(key, condition);
      }
      active.push({ id, version, condition });
    }
    const row = map.get() as { version: number; stages: string } | undefined;
    const mapVersion = row?.version ?? 0;
    if (stages?.version !== mapVersion) {
      const mapStages = row === undefined ? [] : (JSON.parse(row.stages) as JourneyMapStages);
      stages = {
        version: mapVersion,
        definitions: mapStages.map((stage, rank) => ({
          id: `stage:${stage.name}`,
          // A new map version re-evaluates every stage.
          version: mapVersion,
          condition: stage.condition,
          stage: { name: stage.name, rank },
        })),
      };
    }
    return [...active, ...stages.definitions];
  };
}
