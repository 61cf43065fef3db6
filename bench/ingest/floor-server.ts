/**
 * The floor: a bare Fastify route that receives the same batch bodies, parses them with
 * Fastify's default JSON parser (bodyLimit 512,000 bytes) and answers 200
 * {"success":true} without validating or storing anything. What any Node HTTP server must
 * at least spend on these requests; Attune's throughput is reported relative to it.
 *
 * Env: PORT (default 0 = any free port). Prints "floor listening on <url>" when ready.
 */
import Fastify from 'fastify';

const app = Fastify({ bodyLimit: 512_000, logger: false });
app.post('/v1/batch', async () => ({ success: true }));

const address = await app.listen({ host: '127.0.0.1', port: Number(process.env['PORT'] ?? 0) });
process.stdout.write(`floor listening on ${address}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
