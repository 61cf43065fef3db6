/**
 * The floor: a bare Fastify route at POST /v1/decide that parses the body with Fastify's
 * JSON parser and answers a constant JSON text (FLOOR_BODY, the size of a real decide
 * answer) without looking anything up. What any Node HTTP server spends on these requests;
 * Attune's decide throughput is reported relative to it.
 *
 * Env: FLOOR_BODY (the answer). Prints "floor listening on <url>" when ready.
 */
import Fastify from 'fastify';

const body = process.env['FLOOR_BODY'] ?? '{}';
const app = Fastify({ logger: false });
app.post('/v1/decide', async (_request, reply) =>
  reply.header('content-type', 'application/json; charset=utf-8').send(body),
);

const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`floor listening on ${address}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
