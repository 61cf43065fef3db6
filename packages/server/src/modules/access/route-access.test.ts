import { keyRoles, permissions, roleAllows, type Permission } from '@attune/contracts';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../testing/test-app.fixture.js';
import { declareRouteAccess, type RouteAccessEntry } from './route-access.js';

let t: TestApp;
const bearer: Record<string, string> = {};
beforeAll(async () => {
  t = await startTestApp({ ATTUNE_RATE_LIMIT_SECRET: '0', ATTUNE_PROCESSOR: 'false' });
  for (const role of keyRoles) {
    const { key } = await t.app.keys.create({ kind: 'secret', name: role, role });
    bearer[role] = `Bearer ${key}`;
  }
});
afterAll(async () => t.close());

/** A concrete URL for a route pattern; the ids need not exist (404 is neither 401 nor 403). */
function urlOf(pattern: string): string {
  return pattern
    .replace(/:sourceId/g, 'default')
    .replace(/:\w+/g, 'x')
    .replace(/\*$/, 'x');
}

function guarded(): (RouteAccessEntry & { access: Permission })[] {
  return t.app.http.routeAccess.filter((r): r is RouteAccessEntry & { access: Permission } =>
    (permissions as readonly string[]).includes(r.access),
  );
}

async function call(route: RouteAccessEntry, authorization?: string) {
  const res = await t.app.http.inject({
    method: route.method as 'GET',
    url: urlOf(route.url),
    headers: authorization === undefined ? {} : { authorization },
    ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { payload: {} } : {}),
  });
  // HEAD answers carry no body; the code is asserted on the GET twin.
  const body = res.body === '' ? {} : res.json<{ code?: string; detail?: string }>();
  return { statusCode: res.statusCode, body };
}

describe('the route table', () => {
  it('holds every route with what it requires', () => {
    const table = t.app.http.routeAccess;
    const find = (method: string, url: string) =>
      table.find((r) => r.method === method && r.url === url)?.access;
    expect(find('POST', '/v1/batch')).toBe('write_key');
    expect(find('GET', '/healthz')).toBe('public');
    expect(find('GET', '/v1/profiles/:id')).toBe('profiles:read');
    expect(find('POST', '/v1/keys')).toBe('keys:manage');
    expect(find('GET', '/v1/audit')).toBe('audit:read');
    expect(guarded().length).toBeGreaterThan(30);
    // Only ingestion takes write keys; only docs, health, metrics, the browser SDK, the
    // demo page (static; its API calls take the demo source's write key) and the unsubscribe
    // link of journey emails (its signed token is the authority) are open.
    for (const route of table) {
      if (route.access === 'write_key') expect(route.url).toMatch(/^\/v1\/(\w|import$)/);
      if (route.access === 'public')
        expect(route.url).toMatch(
          /^\/(docs|healthz|readyz|metrics|v1\/\*|sdk\/|demo$|v1\/journeys\/unsubscribe$)/,
        );
    }
  });

  it('refuses every guarded route without a key, with a write key and to roles without its permission', async () => {
    for (const route of guarded()) {
      const where = `${route.method} ${route.url}`;
      const none = await call(route);
      expect(none.statusCode, where).toBe(401);
      if (route.method !== 'HEAD')
        expect(none.body, where).toMatchObject({ code: 'missing_api_key' });

      const write = await call(route, t.basicAuth);
      expect([401, 403], where).toContain(write.statusCode);

      const unknown = await call(route, 'Bearer sk_not_a_key_at_all_000000');
      if (route.method !== 'HEAD')
        expect(unknown.body, where).toMatchObject({ code: 'invalid_api_key' });

      for (const role of keyRoles) {
        const res = await call(route, bearer[role]);
        if (roleAllows(role, route.access)) {
          expect([401, 403], `${where} as ${role}`).not.toContain(res.statusCode);
        } else {
          expect(res.statusCode, `${where} as ${role}`).toBe(403);
          if (route.method !== 'HEAD') expect(res.body, where).toMatchObject({ code: 'forbidden' });
          if (route.method !== 'HEAD') {
            expect(res.body.detail).toContain(role);
            expect(res.body.detail).toContain(route.access);
          }
        }
      }
    }
  });
});

describe('declaring access', () => {
  it('refuses to start with a route that declares no permission', async () => {
    const app = Fastify();
    declareRouteAccess(app);
    const registering = app.register(async (scope) => {
      scope.get('/v1/forgotten', async () => ({ secret: true }));
    });
    await expect(registering).rejects.toThrow(/GET \/v1\/forgotten declares no config.permission/);
  });

  it('refuses an unknown permission', async () => {
    const app = Fastify();
    declareRouteAccess(app);
    const registering = app.register(async (scope) => {
      scope.get('/v1/typo', { config: { permission: 'profile:read' as never } }, async () => ({}));
    });
    await expect(registering).rejects.toThrow(/unknown permission "profile:read"/);
  });

  it('lets the OpenAPI UI through undeclared, and nothing else', async () => {
    const app = Fastify();
    const table = declareRouteAccess(app);
    app.get('/docs/extra', async () => ({}));
    await app.ready();
    expect(table).toContainEqual({
      method: 'GET',
      url: '/docs/extra',
      access: 'public',
      audit: null,
    });
  });
});
