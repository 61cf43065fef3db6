import type { ActiveDefinition } from '../../modules/segments/segment-state.store.js';
import type { SqliteDatabase } from './open-database.js';

/** The processor's view of the segment definitions in attune.db: current versions, not deleted. */
export function activeSegmentDefinitions(db: SqliteDatabase): () => ActiveDefinition[] {
  const select = db.prepare('SELECT id, version, condition FROM segments WHERE deleted_at IS NULL');
  return () =>
    (select.all() as { id: string; version: number; condition: string }[]).map((r) => ({
      id: r.id,
      version: r.version,
      condition: JSON.parse(r.condition) as unknown,
    }));
}
