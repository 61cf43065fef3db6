import Fastify from 'fastify';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { installErrorHandlers } from '../../http/error-handler.js';
import { decompressBody } from './decompress-body.js';

// Found by the hostile-input fuzz test: a gzip body that passes the body limit and then
// turns out corrupt raised a zlib error after Fastify had stopped listening: an uncaught
// exception, which ends the server.
describe('decompressBody', () => {
  const app = Fastify();
  installErrorHandlers(app);
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.addHook('preParsing', decompressBody);
  app.post('/in', { bodyLimit: 1000 }, async (request) => ({
    length: String(request.body).length,
  }));
  afterAll(async () => app.close());

  it('answers 413 for a corrupt body past the limit, and nothing is thrown later', async () => {
    const zipped = gzipSync(Buffer.alloc(200_000, 0x78));
    const corrupt = Buffer.concat([zipped.subarray(0, zipped.length - 8), Buffer.alloc(8, 0xff)]);
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    try {
      for (const payload of [corrupt, zipped.subarray(0, zipped.length - 20)]) {
        const res = await app.inject({
          method: 'POST',
          url: '/in',
          headers: { 'content-encoding': 'gzip' },
          payload,
        });
        expect(res.statusCode).toBe(413);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      process.off('uncaughtException', record);
    }
    expect(uncaught).toEqual([]);
  });
});
