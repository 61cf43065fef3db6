import { permissions, type RouteAccess } from '@attune/contracts';
import type { FastifyInstance } from 'fastify';
import type { AuthenticatedKey } from './api-keys.service.js';
import type { PiiShape } from './pii-masking.js';

/**
 * What every route declares in its options (`config: { permission, audit?, pii? }`). The
 * access hooks read these; a route without `permission` stops the app from starting.
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call it: a permission of secret keys, `write_key` (ingest) or `public`. */
    permission?: RouteAccess;
    /** Record every call (allowed or refused) in the audit log under this action name. */
    audit?: string;
    /** The response carries personal data of this shape: mask it for roles without PII. */
    pii?: PiiShape;
  }
  interface FastifyRequest {
    /** The secret key the request was authenticated with (routes with a permission). */
    apiKey: AuthenticatedKey | null;
    /** What a handler adds to its audit record: the target when not in the URL, details. */
    auditNote: AuditNote | null;
  }
  interface FastifyInstance {
    /** Every registered route and what it requires, in registration order. */
    routeAccess: readonly RouteAccessEntry[];
  }
}

export interface AuditNote {
  target?: string;
  detail?: Record<string, unknown>;
}

export interface RouteAccessEntry {
  method: string;
  url: string;
  access: RouteAccess;
  audit: string | null;
}

/**
 * Routes under these prefixes come from plugins (the OpenAPI UI) that cannot declare a
 * permission; they are public. Anything else must declare one.
 */
export const undeclaredPublicPrefixes = ['/docs'] as const;

const accessValues = new Set<string>([...permissions, 'write_key', 'public']);

/**
 * Records every route as it is registered and refuses one that does not say who may call
 * it, so a new route cannot slip through unprotected. Register before any route.
 */
export function declareRouteAccess(app: FastifyInstance): readonly RouteAccessEntry[] {
  const table: RouteAccessEntry[] = [];
  app.decorate('routeAccess', table);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const declared = route.config?.permission;
    let access: RouteAccess;
    if (declared !== undefined) {
      if (!accessValues.has(declared)) {
        throw new Error(
          `Route ${methods.join(',')} ${route.url} declares an unknown permission ${JSON.stringify(declared)}`,
        );
      }
      access = declared;
    } else if (undeclaredPublicPrefixes.some((prefix) => route.url.startsWith(prefix))) {
      access = 'public';
    } else {
      throw new Error(
        `Route ${methods.join(',')} ${route.url} declares no config.permission; every route must say who may call it`,
      );
    }
    for (const method of methods) {
      table.push({ method, url: route.url, access, audit: route.config?.audit ?? null });
    }
  });
  return table;
}
