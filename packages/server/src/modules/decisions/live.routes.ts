import { LiveQuery, type DecideContext } from '@attune/contracts';
import type { FastifyInstance } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { ProblemError } from '../../http/problem.js';
import type { WriteAuth } from '../access/api-keys.service.js';
import type { LiveHub, LiveVisitor } from './live-hub.js';
import { DecisionRequestError } from './placements.service.js';

export interface LiveRouteDeps {
  hub: LiveHub;
  authenticate: (writeKey: string) => Promise<WriteAuth>;
  /** How often the server pings an open connection (proxies drop idle ones). */
  pingIntervalMs?: number;
}

/** Close codes in the application range (4000–4999): the page's SDK tells them apart. */
const closeCodes = { unauthorized: 4401, badRequest: 4400 } as const;

const maxPlacements = 50;

/**
 * GET /v1/live: a WebSocket per page. Browsers cannot set headers on a WebSocket, so the
 * write key and the visitor's ids come in the query. The page sends
 * `{"type": "subscribe", "placements": [...], "context": {...}}` (again whenever it
 * changes); the server answers `{"type": "decisions", "decisions": [...]}` at once and
 * again with the placements whose decision changed. Problems come as
 * `{"type": "error", "code", "detail", "field"?}`.
 */
export async function liveRoutes(app: FastifyInstance, deps: LiveRouteDeps): Promise<void> {
  app.route({
    method: 'GET',
    url: '/v1/live',
    config: { permission: 'write_key' },
    schema: {
      tags: ['decisions'],
      summary:
        'WebSocket: live decisions for a visitor (query: writeKey, userId or anonymousId); see README',
      querystring: LiveQuery,
    },
    // A plain HTTP request (no Upgrade header) gets a problem, not an empty 404.
    handler: async () => {
      throw new ProblemError(
        'upgrade_required',
        'Open /v1/live as a WebSocket (Upgrade: websocket); see README, "Live decisions"',
      );
    },
    wsHandler: async (socket: WebSocket, request) => {
      const send = (message: object) => socket.send(JSON.stringify(message));
      const refuse = (code: number, problem: object) => {
        send({ type: 'error', ...problem });
        socket.close(code);
      };
      const query = request.query as LiveQuery;
      if (query.writeKey === undefined)
        return refuse(closeCodes.unauthorized, {
          code: 'missing_write_key',
          detail: 'Put the source write key in the query: /v1/live?writeKey=…',
        });
      const auth = await deps.authenticate(query.writeKey);
      if (!auth.ok)
        return refuse(closeCodes.unauthorized, { code: auth.code, detail: auth.detail });
      if (query.userId === undefined && query.anonymousId === undefined)
        return refuse(closeCodes.badRequest, {
          code: 'missing_identity',
          detail: 'Put userId or anonymousId in the query',
        });
      const visitor: LiveVisitor = {
        ...(query.userId === undefined ? {} : { userId: query.userId }),
        ...(query.anonymousId === undefined ? {} : { anonymousId: query.anonymousId }),
      };
      const source = { writeKey: query.writeKey };
      let unsubscribe: (() => void) | null = null;
      const ping = setInterval(() => socket.ping(), deps.pingIntervalMs ?? 30_000);
      socket.on('close', () => {
        clearInterval(ping);
        unsubscribe?.();
      });
      socket.on('message', (data) => {
        const parsed = parseSubscribe(textOf(data));
        if ('error' in parsed) return send({ type: 'error', ...parsed.error });
        unsubscribe?.();
        unsubscribe = null;
        try {
          unsubscribe = deps.hub.subscribe(
            { send: (message) => socket.send(message) },
            source,
            visitor,
            parsed.placements,
            parsed.context,
          );
        } catch (error) {
          if (!(error instanceof DecisionRequestError)) throw error;
          send({ type: 'error', code: error.code, detail: error.message, field: error.field });
        }
      });
    },
  });
}

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(new Uint8Array(data)).toString('utf8');
}

type Parsed =
  | { placements: string[]; context: DecideContext }
  | { error: { code: string; detail: string; field?: string } };

function parseSubscribe(text: string): Parsed {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { error: { code: 'invalid_json', detail: 'Messages are JSON objects' } };
  }
  const m = message as { type?: unknown; placements?: unknown; context?: unknown } | null;
  if (typeof m !== 'object' || m === null || m.type !== 'subscribe')
    return {
      error: { code: 'invalid_request', detail: 'Send {"type": "subscribe", …}', field: '/type' },
    };
  const placements = m.placements;
  if (
    !Array.isArray(placements) ||
    placements.length === 0 ||
    placements.length > maxPlacements ||
    !placements.every((p) => typeof p === 'string' && p.length > 0 && p.length <= 100)
  )
    return {
      error: {
        code: 'invalid_request',
        detail: `placements: 1 to ${maxPlacements} placement ids`,
        field: '/placements',
      },
    };
  const context = m.context ?? {};
  if (typeof context !== 'object' || context === null || Array.isArray(context))
    return { error: { code: 'invalid_request', detail: 'context: an object', field: '/context' } };
  return { placements: placements as string[], context: context };
}
