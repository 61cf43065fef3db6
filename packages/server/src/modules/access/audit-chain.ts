import { createHash } from 'node:crypto';

/** An audit record as stored; `detail` is canonical JSON text (see canonicalJson). */
export interface AuditRecord {
  seq: number;
  at: number;
  keyId: string | null;
  role: string | null;
  action: string;
  method: string;
  url: string;
  target: string | null;
  ip: string;
  status: number;
  detail: string;
}

export interface ChainedAuditRecord extends AuditRecord {
  prevHash: string;
  hash: string;
}

/** The prevHash of the first record. */
export const genesisHash = '0'.repeat(64);

/**
 * SHA-256 over the previous hash and the record's fields in a fixed order, JSON-encoded
 * (so no field can bleed into the next). Each hash covers its predecessor: changing,
 * inserting or removing any row breaks every link after it, unless the attacker rewrites
 * the whole tail, which a copy of any later hash (a backup, an export) reveals.
 */
export function auditHash(prevHash: string, record: AuditRecord): string {
  const fields = [
    record.seq,
    record.at,
    record.keyId,
    record.role,
    record.action,
    record.method,
    record.url,
    record.target,
    record.ip,
    record.status,
    record.detail,
  ];
  return createHash('sha256').update(prevHash).update(JSON.stringify(fields)).digest('hex');
}

/** JSON with object keys sorted at every depth: one text per value, whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    Object.defineProperty(sorted, key, {
      value: sortKeys((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return sorted;
}

export interface ChainCheck {
  ok: boolean;
  checked: number;
  firstBrokenSeq: number | null;
}

/**
 * Walks records in seq order, starting from the hash that precedes the first. Reports the
 * first record whose stored hash is not what its content and predecessor give.
 */
export function verifyChain(
  records: Iterable<ChainedAuditRecord>,
  startHash: string = genesisHash,
): ChainCheck {
  let prev = startHash;
  let checked = 0;
  for (const record of records) {
    checked++;
    if (record.prevHash !== prev || auditHash(prev, record) !== record.hash) {
      return { ok: false, checked, firstBrokenSeq: record.seq };
    }
    prev = record.hash;
  }
  return { ok: true, checked, firstBrokenSeq: null };
}
