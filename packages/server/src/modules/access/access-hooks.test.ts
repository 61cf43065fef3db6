import { piiPolicy } from '@attune/engine';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installErrorHandlers } from '../../http/error-handler.js';
import { ManualClock } from '../../platform/clock.js';
import { installAccessControl } from './access-hooks.js';
import type { AuditLogStore } from './audit-log.store.js';
import { RateLimiter } from './rate-limiter.js';
import { declareRouteAccess } from './route-access.js';

describe('the access hooks', () => {
  it('answers 500 and does not serve an audited read whose record cannot be written', async () => {
    const clock = new ManualClock(0);
    const failing: AuditLogStore = {
      append: () => {
        throw new Error('disk full');
      },
      page: () => [],
      all: () => [],
    };
    const app = Fastify({ logger: false });
    installErrorHandlers(app);
    declareRouteAccess(app);
    installAccessControl(app, {
      authenticate: async () => ({ ok: true, keyId: 'k', role: 'admin' }),
      limiter: new RateLimiter({ perSecond: 0, burst: 1 }, clock),
      audit: failing,
      clock,
      pii: piiPolicy(),
      subjectPseudonym: (target) => `ps:${target}`,
    });
    app.get(
      '/v1/profiles/:id',
      { config: { permission: 'profiles:read', audit: 'profile.read' } },
      async () => ({ traits: { email: 'ann@example.com' } }),
    );
    const res = await app.inject({
      method: 'GET',
      url: '/v1/profiles/p_1',
      headers: { authorization: 'Bearer sk_x' },
    });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('ann@example.com');
    await app.close();
  });
});
