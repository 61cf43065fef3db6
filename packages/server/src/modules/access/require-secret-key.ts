import type { KeyRole } from '@attune/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../../http/problem.js';
import { keyFromAuthorization } from '../ingestion/steps/extract-write-key.js';
import type { SecretAuth } from './api-keys.service.js';

/**
 * preHandler for the admin API: a secret key as `Authorization: Bearer <key>` (or as the
 * HTTP Basic user name) with one of the allowed roles.
 */
export function requireSecretKey(
  authenticate: (key: string) => Promise<SecretAuth>,
  roles: readonly KeyRole[] = ['admin'],
) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const key = header === undefined ? undefined : keyFromAuthorization(header);
    if (key === undefined) {
      await sendProblem(
        reply,
        'missing_api_key',
        'Send a secret API key as `Authorization: Bearer <key>`',
      );
      return;
    }
    const auth = await authenticate(key);
    if (!auth.ok) {
      await sendProblem(reply, auth.code, auth.detail);
      return;
    }
    if (!roles.includes(auth.role)) {
      await sendProblem(reply, 'forbidden', `The role ${auth.role} may not do this`);
    }
  };
}
