import { describe, expect, it } from 'vitest';
import {
  auditHash,
  canonicalJson,
  genesisHash,
  verifyChain,
  type AuditRecord,
  type ChainedAuditRecord,
} from './audit-chain.js';

function chain(records: Omit<AuditRecord, 'seq'>[]): ChainedAuditRecord[] {
  let prev = genesisHash;
  return records.map((record, index) => {
    const withSeq = { ...record, seq: index + 1 };
    const hash = auditHash(prev, withSeq);
    const chained = { ...withSeq, prevHash: prev, hash };
    prev = hash;
    return chained;
  });
}

const base = {
  at: 1,
  keyId: 'k1',
  role: 'admin',
  action: 'profile.read',
  method: 'GET',
  url: '/v1/profiles/p_1',
  target: 'p_1',
  ip: '10.0.0.1',
  status: 200,
  detail: '{}',
};

describe('the audit chain', () => {
  it('encodes detail canonically, whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  it('verifies an intact chain and finds the first changed, removed or reordered record', () => {
    const records = chain([base, { ...base, at: 2 }, { ...base, at: 3 }]);
    expect(verifyChain(records)).toEqual({ ok: true, checked: 3, firstBrokenSeq: null });
    expect(verifyChain([])).toEqual({ ok: true, checked: 0, firstBrokenSeq: null });

    const edited = records.map((r) => (r.seq === 2 ? { ...r, status: 403 } : r));
    expect(verifyChain(edited)).toMatchObject({ ok: false, firstBrokenSeq: 2 });
    expect(verifyChain([records[0]!, records[2]!])).toMatchObject({ firstBrokenSeq: 3 });
    expect(verifyChain([records[1]!, records[0]!])).toMatchObject({ firstBrokenSeq: 2 });
  });

  it('does not let one field bleed into the next', () => {
    expect(auditHash(genesisHash, { ...base, seq: 1, url: '/a', target: 'b' })).not.toBe(
      auditHash(genesisHash, { ...base, seq: 1, url: '/a"', target: 'b' }),
    );
  });
});
