import { roleAllows, type Permission } from '@attune/contracts';
import type { PiiPolicy } from '@attune/engine';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../../http/problem.js';
import type { Clock } from '../../platform/clock.js';
import { keyFromAuthorization } from '../ingestion/steps/extract-write-key.js';
import type { SecretAuth } from './api-keys.service.js';
import { canonicalJson } from './audit-chain.js';
import type { AuditLogStore } from './audit-log.store.js';
import { maskPii, type PiiShape } from './pii-masking.js';
import type { RateLimiter } from './rate-limiter.js';
import './route-access.js';

export interface AccessControlDeps {
  authenticate(key: string): Promise<SecretAuth>;
  /** Per secret key. */
  limiter: RateLimiter;
  audit: AuditLogStore;
  clock: Clock;
  /** What counts as PII in masked responses. */
  pii: PiiPolicy;
  /**
   * The stored stand-in for a person named by an audited request (a keyed pseudonym), so the
   * audit log, which erasure keeps, never holds a profile id or identifier in the clear.
   */
  subjectPseudonym(target: string): string;
}

/** Audit actions whose target is a person (profile id or `type:value` identifier). */
export function namesPerson(action: string): boolean {
  return /^(profile|privacy|consent)\./.test(action);
}

/**
 * The one place routes are guarded: authenticates and authorizes every route that declares a
 * permission (before the body is read), masks PII for roles that may not see it, and
 * records audited routes. Routes for write keys authenticate themselves (ingest).
 *
 * Each hook is attached to the routes whose options ask for it (as they are registered), so
 * the routes browsers call per page view (decide, ingest) run none of them.
 */
export function installAccessControl(app: FastifyInstance, deps: AccessControlDeps): void {
  app.decorateRequest('apiKey', null);
  app.decorateRequest('auditNote', null);

  const guard = (permission: Permission) => async (request: FastifyRequest, reply: FastifyReply) =>
    authorize(request, reply, permission, deps);

  const mask =
    (shape: PiiShape) =>
    async (request: FastifyRequest, _reply: FastifyReply, payload: unknown) => {
      const key = request.apiKey;
      if (key === null || roleAllows(key.role, 'profiles:read_pii')) return payload;
      return maskPii(shape, payload, deps.pii);
    };

  // onSend, not onResponse: the record is written before the response leaves, so a read
  // that could not be audited is not served (the error handler answers 500 instead).
  const record =
    (action: string) => async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const params = (request.params ?? {}) as Record<string, unknown>;
      const note = request.auditNote;
      const target = note?.target ?? stringOrNull(params['id']) ?? stringOrNull(params['sourceId']);
      deps.audit.append({
        at: deps.clock.now(),
        keyId: request.apiKey?.keyId ?? null,
        role: request.apiKey?.role ?? null,
        action,
        method: request.method,
        url: auditedUrl(request),
        target: target !== null && namesPerson(action) ? deps.subjectPseudonym(target) : target,
        ip: request.ip,
        status: reply.statusCode,
        detail: canonicalJson(note?.detail ?? {}),
      });
      return payload;
    };

  app.addHook('onRoute', (route) => {
    const { permission, pii, audit } = route.config ?? {};
    // The guard runs before the route's own hooks, as a global hook would.
    if (permission !== undefined && permission !== 'public' && permission !== 'write_key')
      route.onRequest = [guard(permission), ...hookList(route.onRequest)];
    if (pii !== undefined)
      route.preSerialization = [mask(pii), ...hookList(route.preSerialization)];
    if (audit !== undefined) route.onSend = [record(audit), ...hookList(route.onSend)];
  });
}

/** A route option's hooks as a list (an option may be one hook, a list or absent). */
function hookList<T>(hooks: T | T[] | undefined): T[] {
  if (hooks === undefined) return [];
  return Array.isArray(hooks) ? hooks : [hooks];
}

async function authorize(
  request: FastifyRequest,
  reply: FastifyReply,
  permission: Permission,
  deps: AccessControlDeps,
): Promise<FastifyReply | undefined> {
  const header = request.headers.authorization;
  const key = header === undefined ? undefined : keyFromAuthorization(header);
  if (key === undefined) {
    return sendProblem(
      reply,
      'missing_api_key',
      'Send a secret API key as `Authorization: Bearer <key>`',
    );
  }
  const auth = await deps.authenticate(key);
  if (!auth.ok) return sendProblem(reply, auth.code, auth.detail);
  request.apiKey = { keyId: auth.keyId, role: auth.role };
  if (!roleAllows(auth.role, permission)) {
    return sendProblem(
      reply,
      'forbidden',
      `The role ${auth.role} lacks the permission ${permission} that ${request.method} ${request.routeOptions.url ?? request.url} requires`,
    );
  }
  const wait = deps.limiter.take(auth.keyId);
  if (wait > 0) {
    reply.header('retry-after', String(wait));
    return sendProblem(
      reply,
      'rate_limited',
      `This key has used its request allowance; retry in ${wait} s`,
    );
  }
  return undefined;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * The route pattern and the names of its query parameters, never their values: a URL like
 * `/v1/profiles/email:ann@example.com` or `?trait.email=…` would keep PII in the audit log.
 */
function auditedUrl(request: FastifyRequest): string {
  const query = request.query;
  const names = typeof query === 'object' && query !== null ? Object.keys(query).sort() : [];
  const pattern = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
  return names.length === 0 ? pattern : `${pattern}?${names.join('&')}`;
}
