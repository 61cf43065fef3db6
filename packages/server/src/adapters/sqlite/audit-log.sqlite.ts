import {
  auditHash,
  genesisHash,
  type AuditRecord,
  type ChainedAuditRecord,
} from '../../modules/access/audit-chain.js';
import type { AuditFilter, AuditLogStore } from '../../modules/access/audit-log.store.js';
import type { SqliteDatabase } from './open-database.js';

interface AuditRow {
  seq: number;
  at: number;
  key_id: string | null;
  role: string | null;
  action: string;
  method: string;
  url: string;
  target: string | null;
  ip: string;
  status: number;
  detail: string;
  prev_hash: string;
  hash: string;
}

/** The audit log in attune.db (primary data: it cannot be rebuilt from anything else). */
export class SqliteAuditLogStore implements AuditLogStore {
  private readonly last;
  private readonly insert;
  private readonly appendTx;

  constructor(private readonly db: SqliteDatabase) {
    this.last = db.prepare(`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`);
    this.insert = db.prepare(
      `INSERT INTO audit_log
         (seq, at, key_id, role, action, method, url, target, ip, status, detail, prev_hash, hash)
       VALUES
         (@seq, @at, @keyId, @role, @action, @method, @url, @target, @ip, @status, @detail,
          @prevHash, @hash)`,
    );
    this.appendTx = db.transaction((record: Omit<AuditRecord, 'seq'>): ChainedAuditRecord => {
      const last = this.last.get() as { seq: number; hash: string } | undefined;
      const withSeq: AuditRecord = { ...record, seq: (last?.seq ?? 0) + 1 };
      const prevHash = last?.hash ?? genesisHash;
      const chained = { ...withSeq, prevHash, hash: auditHash(prevHash, withSeq) };
      this.insert.run(chained);
      return chained;
    });
  }

  append(record: Omit<AuditRecord, 'seq'>): ChainedAuditRecord {
    // IMMEDIATE: take the write lock before reading the last hash, so two connections
    // (the server and the CLI) cannot both chain onto the same record.
    return this.appendTx.immediate(record);
  }

  page(filter: AuditFilter): ChainedAuditRecord[] {
    const where = ['seq > @after'];
    const params: Record<string, string | number> = { after: filter.after, limit: filter.limit };
    if (filter.action !== undefined) {
      where.push('action = @action');
      params['action'] = filter.action;
    }
    if (filter.targets !== undefined && filter.targets.length > 0) {
      const names = filter.targets.map((target, index) => {
        params[`target${index}`] = target;
        return `@target${index}`;
      });
      where.push(`target IN (${names.join(', ')})`);
    }
    if (filter.keyId !== undefined) {
      where.push('key_id = @keyId');
      params['keyId'] = filter.keyId;
    }
    if (filter.since !== undefined) {
      where.push('at >= @since');
      params['since'] = filter.since;
    }
    const rows = this.db
      .prepare(`SELECT * FROM audit_log WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`)
      .all(params) as AuditRow[];
    return rows.map(toRecord);
  }

  *all(): Iterable<ChainedAuditRecord> {
    const rows = this.db
      .prepare(`SELECT * FROM audit_log ORDER BY seq`)
      .iterate() as IterableIterator<AuditRow>;
    for (const row of rows) yield toRecord(row);
  }
}

function toRecord(row: AuditRow): ChainedAuditRecord {
  return {
    seq: row.seq,
    at: row.at,
    keyId: row.key_id,
    role: row.role,
    action: row.action,
    method: row.method,
    url: row.url,
    target: row.target,
    ip: row.ip,
    status: row.status,
    detail: row.detail,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
