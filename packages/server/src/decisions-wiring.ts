import type { ComputedTraitDefinition, RfmBreakpoints } from '@attune/engine';
import websocket from '@fastify/websocket';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { SqliteDatabase } from './adapters/sqlite/open-database.js';
import { SqlitePlacementStore } from './adapters/sqlite/placements.sqlite.js';
import type { Config } from './config/config.js';
import type { WriteAuth } from './modules/access/api-keys.service.js';
import { readServedSince } from './adapters/sqlite/served-decisions.sqlite.js';
import { DecideService } from './modules/decisions/decide.service.js';
import {
  FrequencyCaps,
  longestCapMs,
  type VisitorIds,
} from './modules/decisions/frequency-caps.js';
import { ServedLog } from './modules/decisions/served-log.js';
import { decisionRoutes } from './modules/decisions/decisions.routes.js';
import { LiveHub } from './modules/decisions/live-hub.js';
import { liveRoutes } from './modules/decisions/live.routes.js';
import { PlacementsService } from './modules/decisions/placements.service.js';
import { VariantRenderer } from './modules/decisions/variant-renderer.js';
import type { IngestResult } from './modules/ingestion/ingestion.service.js';
import type { ProfilesService } from './modules/profiles/profiles.service.js';
import { VisitorCache } from './modules/profiles/visitor-cache.js';
import type { Clock } from './platform/clock.js';
import type { IdGenerator } from './platform/ids.js';

/**
 * What decide keeps in memory, built before the privacy services (erasure forgets from both):
 * recent visitors' profiles, which the processor's commits and erasure drop as they change
 * (without the processor here nothing would tell it, so nothing is kept), and the
 * impressions frequency caps count.
 */
export function decideMemory(
  config: Pick<Config, 'decide'>,
  processorHere: boolean,
  pseudonym: ConstructorParameters<typeof FrequencyCaps>[0]['pseudonym'],
): { visitors: VisitorCache | undefined; caps: FrequencyCaps } {
  const keep = config.decide.cachedVisitors;
  return {
    visitors: !processorHere || keep < 2 ? undefined : new VisitorCache(keep),
    caps: new FrequencyCaps({ pseudonym }),
  };
}

export interface DecisionsWiring {
  db: SqliteDatabase;
  config: Pick<Config, 'decide'>;
  profiles: Pick<ProfilesService, 'findVisitor'>;
  /** Recent visitors' profiles (kept current by the processor's commits), if any. */
  visitors?: VisitorCache;
  segmentExists: (id: string) => boolean;
  computedTraits: readonly ComputedTraitDefinition[];
  rfmBreakpoints: () => RfmBreakpoints | null;
  authenticate: (writeKey: string) => Promise<WriteAuth>;
  ingestMessages: (writeKey: string, messages: readonly object[]) => Promise<IngestResult>;
  registry: Registry;
  /** The visitor's explicit consent by purpose (null: never chosen), for consent rules. */
  consentOf: (ids: VisitorIds) => (purpose: string) => boolean | null;
  /** Impressions per visitor for frequency caps (erasure forgets a person's). */
  caps: FrequencyCaps;
  clock: Clock;
  ids: IdGenerator;
  logger: FastifyBaseLogger;
}

/** Placements, the decide API and the logging of what it serves. */
export async function registerDecisions(http: FastifyInstance, w: DecisionsWiring) {
  const store = new SqlitePlacementStore(w.db);
  const renderer = new VariantRenderer();
  const fallbacks = new Counter({
    name: 'attune_decide_fallbacks_total',
    help: 'Decisions answered with the fallback variant, by reason',
    labelNames: ['reason'],
    registers: [w.registry],
  });
  // Through ingestion, as the asking source's events: consent, suppression and PII
  // protection apply to them as to anything the page would send.
  const servedLog = new ServedLog({
    ingest: async (writeKey, messages) => {
      const result = await w.ingestMessages(writeKey, messages);
      if (result.kind === 'refused') throw new Error(result.rejection.detail);
    },
    onError: (error) => w.logger.warn({ err: error }, 'could not log decisions'),
  });
  const caps = w.caps;
  const visitors = w.visitors;
  if (visitors !== undefined)
    new Counter({
      name: 'attune_decide_visitor_cache_lookups_total',
      help: 'Visitor profile lookups of decide and live updates, by whether memory had the profile',
      labelNames: ['result'],
      registers: [w.registry],
      collect() {
        this.reset();
        this.inc({ result: 'hit' }, visitors.hits);
        this.inc({ result: 'miss' }, visitors.misses);
      },
    });
  const decide = new DecideService({
    placements: store,
    findVisitor: (ids) => w.profiles.findVisitor(ids, visitors),
    computedTraits: w.computedTraits,
    rfmBreakpoints: w.rfmBreakpoints,
    renderer,
    clock: w.clock,
    ids: w.ids,
    holdoutPercent: w.config.decide.holdoutPercent,
    timeBudgetMs: w.config.decide.timeBudgetMs,
    countFallback: (reason) => fallbacks.inc({ reason }),
    served: (decisions, source) => servedLog.add(decisions, source.writeKey),
    caps,
    consentOf: w.consentOf,
  });
  restoreImpressions(w, caps, decide);
  const placements = new PlacementsService({
    store,
    segmentExists: w.segmentExists,
    renderer,
    clock: w.clock,
    changed: (id) => decide.forget(id),
  });
  const hub = new LiveHub({
    decide,
    findVisitor: (ids) => w.profiles.findVisitor(ids, visitors),
  });
  await http.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await http.register(liveRoutes, {
    hub,
    authenticate: w.authenticate,
    pingIntervalMs: w.config.decide.livePingMs,
  });
  await http.register(decisionRoutes, {
    placements,
    decide,
    authenticate: w.authenticate,
  });
  return { placements, decide, servedLog, hub, caps };
}

/** Counts the impressions of capped placements served in the last 30 days again. */
function restoreImpressions(w: DecisionsWiring, caps: FrequencyCaps, decide: DecideService) {
  const started = performance.now();
  const restored = caps.restore(readServedSince(w.db, w.clock.now() - longestCapMs), (id) =>
    decide.compiled(id),
  );
  if (restored > 0)
    w.logger.info(
      { restored, ms: Math.round(performance.now() - started) },
      'restored impressions for frequency caps',
    );
}
