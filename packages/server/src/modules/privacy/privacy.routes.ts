import { ErasureReceipt, Problem, PrivacyProfileParams, ProfileExport } from '@attune/contracts';
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../../http/problem.js';
import type { DataExportService } from './data-export.service.js';
import { ErasureError, type ErasureService } from './erasure.service.js';

export interface PrivacyRouteDeps {
  erasure: ErasureService;
  dataExport: DataExportService;
}

/** Data subject requests: access/portability (export) and erasure. */
export async function privacyRoutes(
  app: FastifyInstance,
  { erasure, dataExport }: PrivacyRouteDeps,
): Promise<void> {
  const common = { tags: ['privacy'], security: [{ bearer: [] }] };

  app.get(
    '/v1/privacy/profiles/:id/export',
    {
      config: { permission: 'privacy:export', audit: 'privacy.export' },
      schema: {
        ...common,
        summary:
          'Everything held on one person: profile, identities, events, memberships, stages, consent, decisions',
        params: PrivacyProfileParams,
        response: { 200: ProfileExport, '4xx': Problem },
      },
    },
    async (request, reply) => {
      const { id } = request.params as PrivacyProfileParams;
      const body = await answer(() => dataExport.export(id));
      return reply
        .header('content-disposition', `attachment; filename="attune-export-${safeName(id)}.json"`)
        .send(body);
    },
  );

  app.delete(
    '/v1/privacy/profiles/:id',
    {
      config: { permission: 'privacy:erase', audit: 'privacy.erase' },
      schema: {
        ...common,
        summary:
          'Erase a person: profile, identities, events and derived state; suppress their identifiers at ingest; returns a receipt',
        params: PrivacyProfileParams,
        response: { 200: ErasureReceipt, '4xx': Problem },
      },
    },
    async (request) => answer(() => erasure.erase((request.params as PrivacyProfileParams).id)),
  );
}

async function answer<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ErasureError)
      throw new ProblemError(
        error.code,
        error.message,
        undefined,
        error.receipt === undefined ? {} : { receipt: error.receipt },
      );
    throw error;
  }
}

function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_');
}
