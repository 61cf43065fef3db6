import type { Condition } from '@attune/contracts';
import type {
  ActiveSegmentDefinition,
  SegmentDefinition,
  SegmentDefinitionsStore,
  SegmentRecord,
  SegmentVersionRecord,
} from '../../modules/segments/segment-definitions.store.js';
import type { SqliteDatabase } from './open-database.js';

interface SegmentRow {
  id: string;
  name: string;
  description: string | null;
  version: number;
  condition: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

interface VersionRow {
  version: number;
  name: string;
  description: string | null;
  condition: string;
  created_at: number;
}

/** Segment definitions in attune.db: `segments` holds the current version, `segment_versions` all. */
export class SqliteSegmentDefinitionsStore implements SegmentDefinitionsStore {
  private readonly selectOne;
  private readonly selectActive;
  private readonly selectVersions;
  private readonly selectActiveVersions;
  private readonly selectVersionCondition;
  private readonly insertSegment;
  private readonly updateSegment;
  private readonly insertVersion;
  private readonly markDeleted;
  private readonly createTx;
  private readonly updateTx;
  /** Parsed conditions of the active definitions, by id, for `activeDefinitions`. */
  private readonly parsed = new Map<string, ActiveSegmentDefinition>();

  constructor(db: SqliteDatabase) {
    this.selectOne = db.prepare('SELECT * FROM segments WHERE id = ?');
    this.selectActive = db.prepare('SELECT * FROM segments WHERE deleted_at IS NULL ORDER BY id');
    this.selectVersions = db.prepare(
      `SELECT version, name, description, condition, created_at FROM segment_versions
       WHERE segment_id = ? ORDER BY version`,
    );
    this.selectActiveVersions = db
      .prepare('SELECT id, version FROM segments WHERE deleted_at IS NULL ORDER BY id')
      .raw();
    this.selectVersionCondition = db
      .prepare('SELECT condition FROM segment_versions WHERE segment_id = ? AND version = ?')
      .pluck();
    this.insertSegment = db.prepare(
      `INSERT INTO segments (id, name, description, version, condition, created_at, updated_at)
       VALUES (?, ?, ?, 1, ?, ?, ?) RETURNING *`,
    );
    this.updateSegment = db.prepare(
      `UPDATE segments SET name = ?, description = ?, condition = ?, version = version + 1,
         updated_at = ?
       WHERE id = ? AND deleted_at IS NULL RETURNING *`,
    );
    this.insertVersion = db.prepare(
      `INSERT INTO segment_versions (segment_id, version, name, description, condition, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.markDeleted = db.prepare(
      'UPDATE segments SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL',
    );
    this.createTx = db.transaction((id: string, d: SegmentDefinition, at: number) => {
      const condition = JSON.stringify(d.condition);
      const row = this.insertSegment.get(
        id,
        d.name,
        d.description,
        condition,
        at,
        at,
      ) as SegmentRow;
      this.insertVersion.run(id, 1, d.name, d.description, condition, at);
      return row;
    });
    this.updateTx = db.transaction((id: string, d: SegmentDefinition, at: number) => {
      const condition = JSON.stringify(d.condition);
      const row = this.updateSegment.get(d.name, d.description, condition, at, id) as
        SegmentRow | undefined;
      if (row !== undefined)
        this.insertVersion.run(id, row.version, d.name, d.description, condition, at);
      return row;
    });
  }

  create(id: string, definition: SegmentDefinition, at: number): SegmentRecord {
    // IMMEDIATE: take the write lock up front; upgrading a read lock could fail with
    // SQLITE_BUSY beside the log writer thread.
    return toRecord(this.createTx.immediate(id, definition, at));
  }

  update(id: string, definition: SegmentDefinition, at: number): SegmentRecord | undefined {
    const row = this.updateTx.immediate(id, definition, at);
    return row === undefined ? undefined : toRecord(row);
  }

  softDelete(id: string, at: number): boolean {
    return this.markDeleted.run(at, id).changes > 0;
  }

  get(id: string): SegmentRecord | undefined {
    const row = this.selectOne.get(id) as SegmentRow | undefined;
    return row === undefined ? undefined : toRecord(row);
  }

  list(): SegmentRecord[] {
    return (this.selectActive.all() as SegmentRow[]).map(toRecord);
  }

  versions(id: string): SegmentVersionRecord[] {
    return (this.selectVersions.all(id) as VersionRow[]).map((row) => ({
      version: row.version,
      name: row.name,
      description: row.description,
      condition: JSON.parse(row.condition) as Condition,
      createdAt: row.created_at,
    }));
  }

  activeDefinitions(): ActiveSegmentDefinition[] {
    const current = this.selectActiveVersions.all() as [string, number][];
    const active: ActiveSegmentDefinition[] = [];
    const ids = new Set<string>();
    for (const [id, version] of current) {
      ids.add(id);
      let definition = this.parsed.get(id);
      if (definition?.version !== version) {
        // Versions are immutable rows, so this read agrees with `version` even if the
        // segment changed since the query above.
        const text = this.selectVersionCondition.get(id, version) as string;
        definition = { id, version, condition: JSON.parse(text) as Condition };
        this.parsed.set(id, definition);
      }
      active.push(definition);
    }
    for (const id of this.parsed.keys()) if (!ids.has(id)) this.parsed.delete(id);
    return active;
  }
}

function toRecord(row: SegmentRow): SegmentRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    version: row.version,
    condition: JSON.parse(row.condition) as Condition,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  };
}
