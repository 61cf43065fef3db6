import { ApiKeyInfo, CreateKeyRequest, CreatedKey, Problem } from '@attune/contracts';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../../http/problem.js';
import { KeyRequestError, type ApiKeysService } from './api-keys.service.js';

export interface ApiKeyRouteDeps {
  keys: ApiKeysService;
}

export async function apiKeyRoutes(app: FastifyInstance, { keys }: ApiKeyRouteDeps): Promise<void> {
  const common = { tags: ['access'], security: [{ bearer: [] }] };
  app.get(
    '/v1/keys',
    {
      config: { permission: 'keys:manage' },
      schema: {
        ...common,
        summary: 'List API keys (never the keys themselves)',
        response: { 200: Type.Object({ keys: Type.Array(ApiKeyInfo) }), '4xx': Problem },
      },
    },
    async () => ({ keys: await keys.list() }),
  );
  app.post(
    '/v1/keys',
    {
      config: { permission: 'keys:manage', audit: 'keys.create' },
      schema: {
        ...common,
        summary: 'Create a write key or a secret key',
        body: CreateKeyRequest,
        response: { 201: CreatedKey, '4xx': Problem },
      },
    },
    async (request, reply) => {
      const body = request.body as CreateKeyRequest;
      const created = await answer(() => keys.create(body));
      const { id, kind, role, sourceId, expiresAt } = created.info;
      request.auditNote = { target: id, detail: { kind, role, sourceId, expiresAt } };
      return reply.code(201).send(created);
    },
  );
  app.delete(
    '/v1/keys/:id',
    {
      config: { permission: 'keys:manage', audit: 'keys.revoke' },
      schema: {
        ...common,
        summary: 'Revoke a key',
        params: Type.Object({ id: Type.String() }),
        response: { '4xx': Problem },
      },
    },
    async (request, reply) => {
      await answer(() => keys.revoke((request.params as { id: string }).id));
      return reply.code(204).send();
    },
  );
}

async function answer<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof KeyRequestError)
      throw new ProblemError(error.code, error.message, error.field);
    throw error;
  }
}
