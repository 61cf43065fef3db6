import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/** OpenAPI generated from the route schemas: JSON at /docs/json, a browsable UI at /docs. */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Attune API',
        version,
        description:
          'Segment-compatible ingestion (write keys) and the admin API (secret keys). Errors are RFC 9457 problem+json with a stable `code`.',
      },
      components: {
        securitySchemes: {
          writeKey: {
            type: 'http',
            scheme: 'basic',
            description: 'Write key as user name, empty password',
          },
          bearer: { type: 'http', scheme: 'bearer', description: 'Secret API key' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
