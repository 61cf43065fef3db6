import type { RouteAccess } from '@attune/contracts';

// Routes declare the permission they need in their config (the access module's global
// permission hook reads it). Delete this once that module declares the same field.
declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: RouteAccess;
  }
}

export {};
