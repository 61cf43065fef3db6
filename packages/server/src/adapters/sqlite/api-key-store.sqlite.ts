import type { KeyKind } from '@attune/contracts';
import type {
  ApiKeyRecord,
  ApiKeyStore,
  SourceRecord,
} from '../../modules/access/api-keys.store.js';
import type { SqliteDatabase } from './open-database.js';

interface KeyRow {
  id: string;
  kind: KeyKind;
  role: ApiKeyRecord['role'];
  source_id: string | null;
  name: string;
  hash: string;
  hint: string;
  created_at: number;
  revoked_at: number | null;
  expires_at: number | null;
}

export class SqliteApiKeyStore implements ApiKeyStore {
  private readonly byHash;
  private readonly insert;

  constructor(private readonly db: SqliteDatabase) {
    this.byHash = db.prepare(`SELECT * FROM api_keys WHERE hash = ?`);
    this.insert = db.prepare(
      `INSERT INTO api_keys
         (id, kind, role, source_id, name, hash, hint, created_at, revoked_at, expires_at)
       VALUES
         (@id, @kind, @role, @sourceId, @name, @hash, @hint, @createdAt, @revokedAt, @expiresAt)`,
    );
  }

  async insertKey(record: ApiKeyRecord): Promise<void> {
    this.insert.run(record);
  }

  async findKeyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const row = this.byHash.get(hash) as KeyRow | undefined;
    return row === undefined ? undefined : toRecord(row);
  }

  async listKeys(): Promise<ApiKeyRecord[]> {
    return (
      this.db.prepare(`SELECT * FROM api_keys ORDER BY created_at, id`).all() as KeyRow[]
    ).map(toRecord);
  }

  async revokeKey(id: string, at: number): Promise<boolean> {
    return (
      this.db
        .prepare(`UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`)
        .run(at, id).changes > 0
    );
  }

  async countActiveKeys(kind: KeyKind): Promise<number> {
    return this.db
      .prepare(`SELECT count(*) FROM api_keys WHERE kind = ? AND revoked_at IS NULL`)
      .pluck()
      .get(kind) as number;
  }

  async ensureSource(source: SourceRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO sources (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      )
      .run(source.id, source.name, source.createdAt);
  }

  async findSource(id: string): Promise<SourceRecord | undefined> {
    const row = this.db.prepare(`SELECT id, name, created_at FROM sources WHERE id = ?`).get(id) as
      { id: string; name: string; created_at: number } | undefined;
    return row === undefined
      ? undefined
      : { id: row.id, name: row.name, createdAt: row.created_at };
  }
}

function toRecord(row: KeyRow): ApiKeyRecord {
  return {
    id: row.id,
    kind: row.kind,
    role: row.role,
    sourceId: row.source_id,
    name: row.name,
    hash: row.hash,
    hint: row.hint,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    expiresAt: row.expires_at,
  };
}
