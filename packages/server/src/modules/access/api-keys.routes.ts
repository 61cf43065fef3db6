import { ApiKeyInfo, CreateKeyRequest, CreatedKey, Problem } from '@attune/contracts';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { ProblemError } from '../../http/problem.js';
import { KeyRequestError, type ApiKeysService } from './api-keys.service.js';

export interface ApiKeyRouteDeps {
  keys: ApiKeysService;
  requireAdmin: preHandlerAsyncHookHandler;
}

export async function apiKeyRoutes(
  app: FastifyInstance,
  { keys, requireAdmin }: ApiKeyRouteDeps,
): Promise<void> {
  const common = { tags: ['access'], security: [{ bearer: [] }] };
  app.get(
    '/v1/keys',
    {
      preHandler: requireAdmin,
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
      preHandler: requireAdmin,
      schema: {
        ...common,
        summary: 'Create a write key or a secret key',
        body: CreateKeyRequest,
        response: { 201: CreatedKey, '4xx': Problem },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await keys.create(request.body as CreateKeyRequest)),
  );
  app.delete(
    '/v1/keys/:id',
    {
      preHandler: requireAdmin,
      schema: {
        ...common,
        summary: 'Revoke a key',
        params: Type.Object({ id: Type.String() }),
        response: { '4xx': Problem },
      },
    },
    async (request, reply) => {
      try {
        await keys.revoke((request.params as { id: string }).id);
      } catch (error) {
        if (error instanceof KeyRequestError)
          throw new ProblemError(error.code, error.message, error.field);
        throw error;
      }
      return reply.code(204).send();
    },
  );
}
