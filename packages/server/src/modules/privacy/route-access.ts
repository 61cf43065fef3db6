import type { Permission } from '@attune/contracts';
import type { FastifyContextConfig } from 'fastify';

/**
 * A route's declared permission and audit action (read by the access hook). Cast because
 * the config type is declared by the access module, not here.
 */
export function access(permission: Permission, audit: string): FastifyContextConfig {
  return { permission, audit } as FastifyContextConfig;
}
