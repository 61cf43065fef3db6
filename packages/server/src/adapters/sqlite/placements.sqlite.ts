import type {
  PlacementDefinitionData,
  PlacementRecord,
  PlacementStore,
} from '../../modules/decisions/placement.store.js';
import type { SqliteDatabase } from './open-database.js';

interface PlacementRow {
  id: string;
  name: string;
  description: string | null;
  version: number;
  definition: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

const toRecord = (row: PlacementRow): PlacementRecord => {
  const { rules, fallback, frequencyCap } = JSON.parse(row.definition) as Pick<
    PlacementDefinitionData,
    'rules' | 'fallback'
  > & { frequencyCap?: PlacementDefinitionData['frequencyCap'] };
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    version: row.version,
    rules,
    fallback,
    frequencyCap: frequencyCap ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
};

const definitionText = (data: PlacementDefinitionData): string =>
  JSON.stringify({
    rules: data.rules,
    fallback: data.fallback,
    ...(data.frequencyCap === null ? {} : { frequencyCap: data.frequencyCap }),
  });

/** Placements in attune.db: `placements` holds the current version, `placement_versions` all. */
export class SqlitePlacementStore implements PlacementStore {
  private readonly selectOne;
  private readonly selectActive;
  private readonly insertPlacement;
  private readonly updatePlacement;
  private readonly insertVersion;
  private readonly markDeleted;
  private readonly createTx;
  private readonly updateTx;

  constructor(db: SqliteDatabase) {
    this.selectOne = db.prepare('SELECT * FROM placements WHERE id = ?');
    this.selectActive = db.prepare('SELECT * FROM placements WHERE deleted_at IS NULL ORDER BY id');
    this.insertPlacement = db.prepare(
      `INSERT INTO placements (id, name, description, version, definition, created_at, updated_at)
       VALUES (?, ?, ?, 1, ?, ?, ?)`,
    );
    this.updatePlacement = db.prepare(
      `UPDATE placements SET name = ?, description = ?, version = version + 1, definition = ?,
         updated_at = ? WHERE id = ? AND deleted_at IS NULL`,
    );
    this.insertVersion = db.prepare(
      `INSERT INTO placement_versions (placement_id, version, definition, created_at)
       SELECT id, version, definition, updated_at FROM placements WHERE id = ?`,
    );
    this.markDeleted = db.prepare(
      'UPDATE placements SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL',
    );
    // Read and write under one write lock (IMMEDIATE): another writer cannot slip between.
    this.createTx = db.transaction(
      (id: string, data: PlacementDefinitionData, at: number): boolean => {
        if (this.selectOne.get(id) !== undefined) return false;
        this.insertPlacement.run(id, data.name, data.description, definitionText(data), at, at);
        this.insertVersion.run(id);
        return true;
      },
    );
    this.updateTx = db.transaction(
      (id: string, data: PlacementDefinitionData, at: number): boolean => {
        const changed = this.updatePlacement.run(
          data.name,
          data.description,
          definitionText(data),
          at,
          id,
        ).changes;
        if (changed === 0) return false;
        this.insertVersion.run(id);
        return true;
      },
    );
  }

  get(id: string): PlacementRecord | undefined {
    const row = this.selectOne.get(id) as PlacementRow | undefined;
    return row === undefined || row.deleted_at !== null ? undefined : toRecord(row);
  }

  list(): PlacementRecord[] {
    return (this.selectActive.all() as PlacementRow[]).map(toRecord);
  }

  create(id: string, data: PlacementDefinitionData, at: number): PlacementRecord | null {
    if (!this.createTx.immediate(id, data, at)) return null;
    return this.get(id) ?? null;
  }

  update(id: string, data: PlacementDefinitionData, at: number): PlacementRecord | undefined {
    if (!this.updateTx.immediate(id, data, at)) return undefined;
    return this.get(id);
  }

  idUsed(id: string): boolean {
    return this.selectOne.get(id) !== undefined;
  }

  delete(id: string, at: number): boolean {
    return this.markDeleted.run(at, id).changes > 0;
  }
}
