/**
 * The floor: a bare Fastify route that parses the same batch bodies (Fastify's JSON parser)
 * and answers 200 without validating or storing. What any Node server must at least spend.
 */
import Fastify from 'fastify';

const app = Fastify({ bodyLimit: 512_000, logger: false });
app.post('/v1/batch', async () => ({ success: true }));
const address = await app.listen({ port: Number(process.env['PORT'] ?? 0), host: '127.0.0.1' });
process.stdout.write(`floor listening on ${address}\n`);
