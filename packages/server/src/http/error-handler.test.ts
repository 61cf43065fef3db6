import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { frameworkErrors, installErrorHandlers } from './error-handler.js';

// Found by the hostile-input fuzz test: the router answered these with Fastify's own JSON,
// not problem+json.
describe('errors the router answers before any handler', () => {
  const app = Fastify({ frameworkErrors });
  installErrorHandlers(app);
  app.get('/things/:id', async () => ({ ok: true }));

  it.each([
    ['a broken percent-escape', '/things/%E0%A4%A', 400, 'invalid_request'],
    ['an over-long path parameter', `/things/${'9'.repeat(500)}`, 414, 'uri_too_long'],
  ])('answers %s with problem+json', async (_name, url, status, code) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status, code });
  });
});
