import { AuditPage, AuditQuery, AuditVerification, Problem } from '@attune/contracts';
import { formatIsoTimestamp } from '@attune/engine';
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../../http/problem.js';
import { verifyChain, type ChainedAuditRecord } from './audit-chain.js';
import type { AuditLogStore } from './audit-log.store.js';

export async function auditRoutes(
  app: FastifyInstance,
  {
    audit,
    subjectPseudonym,
  }: { audit: AuditLogStore; subjectPseudonym: (target: string) => string },
): Promise<void> {
  const common = { tags: ['access'], security: [{ bearer: [] }] };
  app.get(
    '/v1/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        ...common,
        summary: 'The audit log, oldest first, a page at a time',
        querystring: AuditQuery,
        response: { 200: AuditPage, '4xx': Problem },
      },
    },
    async (request) => {
      const query = request.query as AuditQuery;
      const since = query.since === undefined ? undefined : Date.parse(query.since);
      if (since !== undefined && Number.isNaN(since))
        throw new ProblemError('invalid_request', 'since must be an ISO-8601 time', '/since');
      const limit = query.limit ?? 100;
      const records = audit.page({
        after: query.after ?? 0,
        limit,
        action: query.action,
        keyId: query.keyId,
        // People are stored as pseudonyms: the caller names them in the clear.
        targets:
          query.target === undefined ? undefined : [query.target, subjectPseudonym(query.target)],
        since,
      });
      const entries = records.map(toEntry);
      const last = records[records.length - 1];
      return { entries, next: records.length < limit || last === undefined ? null : last.seq };
    },
  );
  app.get(
    '/v1/audit/verify',
    {
      config: { permission: 'audit:read' },
      schema: {
        ...common,
        summary: 'Recompute the hash chain: has any record been changed, added or removed?',
        response: { 200: AuditVerification, '4xx': Problem },
      },
    },
    async () => verifyChain(audit.all()),
  );
}

function toEntry(record: ChainedAuditRecord) {
  return {
    ...record,
    at: formatIsoTimestamp(record.at),
    detail: JSON.parse(record.detail) as unknown,
  };
}
