import Fastify, { LogController } from 'fastify';
import { join } from 'node:path';
import { SqliteApiKeyStore } from './adapters/sqlite/api-key-store.sqlite.js';
import { SqliteEventLog } from './adapters/sqlite/event-log.sqlite.js';
import { openDatabase } from './adapters/sqlite/open-database.js';
import { trustProxyOption, type Config } from './config/config.js';
import { CheckpointerThread } from './workers/checkpointer-thread.js';
import { frameworkErrors, installErrorHandlers } from './http/error-handler.js';
import { registerOpenApi } from './http/openapi.js';
import { processingOf } from './config/processing.js';
import { SqliteIdentityStore } from './adapters/sqlite/identity-store.sqlite.js';
import { SqliteProfileStore } from './adapters/sqlite/profile-store.sqlite.js';
import { identityRoutes } from './modules/identity/identity.routes.js';
import { eventRelays } from './event-relays.js';
import { profileRoutes } from './modules/profiles/profiles.routes.js';
import { ProfilesService } from './modules/profiles/profiles.service.js';
import { apiKeyRoutes } from './modules/access/api-keys.routes.js';
import { ApiKeysService } from './modules/access/api-keys.service.js';
import { installAccessControl } from './modules/access/access-hooks.js';
import { auditRoutes } from './modules/access/audit.routes.js';
import { RateLimiter } from './modules/access/rate-limiter.js';
import { declareRouteAccess } from './modules/access/route-access.js';
import { SqliteAuditLogStore } from './adapters/sqlite/audit-log.sqlite.js';
import { eventLogRoutes } from './modules/event-log/event-log.routes.js';
import { IngestionService } from './modules/ingestion/ingestion.service.js';
import { ingestionRoutes } from './modules/ingestion/ingestion.routes.js';
import { createMetrics } from './modules/observability/metrics.js';
import { observabilityRoutes } from './modules/observability/observability.routes.js';
import { systemClock, type Clock } from './platform/clock.js';
import { lockDataDir } from './platform/data-dir-lock.js';
import { keyringFileName, resolveKeyring } from './platform/keyring-source.js';
import { PiiCipher } from './modules/privacy/pii-cipher.js';
import { protectPiiStep } from './modules/privacy/protect-pii.step.js';
import { uuidGenerator, type IdGenerator } from './platform/ids.js';
import { attuneVersion } from './version.js';
import { ProcessorThread } from './workers/processor-thread.js';
import { qualityRoutes } from './modules/quality/quality.routes.js';
import { qualityServices } from './quality-wiring.js';
import { trackingPlanStep } from './modules/quality/tracking-plan.step.js';
import { decideMemory, registerDecisions } from './decisions-wiring.js';
import { registerRetention } from './retention-wiring.js';
import { registerWeb } from './web-wiring.js';
import { registerSegments } from './segments-wiring.js';
import { SqliteRfmSnapshotsStore } from './adapters/sqlite/rfm-snapshots.sqlite.js';
import { consentRoutes } from './modules/privacy/consent.routes.js';
import { consentAndSuppression, privacyServices } from './privacy-wiring.js';
import { privacyRoutes } from './modules/privacy/privacy.routes.js';
import { registerJourneys } from './journeys-wiring.js';
import { SqliteJourneyStore } from './adapters/sqlite/journeys.sqlite.js';
import {
  databaseFilesOf,
  type AppOverrides,
  type AttuneApp,
  type DatabaseFiles,
} from './app-shape.js';

export type { AppOverrides, AttuneApp, DatabaseFiles } from './app-shape.js';
export { databaseFilesOf } from './app-shape.js';

/** The composition root: config → adapters → services → routes. */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<AttuneApp> {
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? uuidGenerator;
  const files = databaseFilesOf(config);
  const unlock = lockDataDir(config.dataDir);
  try {
    return await assemble(config, files, clock, ids, unlock, overrides);
  } catch (error) {
    unlock();
    throw error;
  }
}

async function assemble(
  config: Config,
  files: DatabaseFiles,
  clock: Clock,
  ids: IdGenerator,
  unlock: () => void,
  overrides: AppOverrides,
): Promise<AttuneApp> {
  const processing = processingOf(config);
  const { identityRules } = processing;
  const { keyring, generated: keyringGenerated } = resolveKeyring(config);
  const cipher = new PiiCipher(keyring, processing.pii);
  const db = openDatabase(files.log, { schema: 'log' });
  const stateDb = openDatabase(files.state, { schema: 'state' });
  const journeysDb = openDatabase(files.journeys, { schema: 'journeys' });
  const journeyStore = new SqliteJourneyStore(journeysDb);

  const eventLog = await SqliteEventLog.open({
    checkpointElsewhere: config.processor.enabled,
    file: files.log,
    db,
    cipher,
    dedupWindowMs: config.dedupWindowMs,
  });
  const keys = new ApiKeysService(new SqliteApiKeyStore(db), clock, ids);
  const bootstrap = await keys.bootstrap({ writeKey: config.writeKey, adminKey: config.adminKey });

  const http = Fastify({
    trustProxy: trustProxyOption(config.trustProxy),
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization'],
    },
    // Per-request log lines only when debugging: ingest is a hot path.
    logController: new LogController({
      disableRequestLogging: !['debug', 'trace'].includes(config.logLevel),
    }),
    // Ingest bodies are measured per route; this is the ceiling for everything else.
    bodyLimit: 1024 * 1024,
    // Unknown parameters are refused, not silently dropped: a typo should be an error.
    ajv: { customOptions: { removeAdditional: false } },
    // Bad URLs and over-long path parameters, answered by the router, as problem+json.
    frameworkErrors,
  });

  if (keyringGenerated) {
    http.log.warn(
      `Generated encryption and pseudonym keys in ${join(config.dataDir, keyringFileName)}; ` +
        'back it up (the data is unreadable without it), or set ATTUNE_ENCRYPTION_KEYS and ATTUNE_PSEUDONYM_KEY',
    );
  }
  const processor = config.processor.enabled
    ? await ProcessorThread.start(
        {
          processing,
          keyring: keyring.secrets(),
          cacheMb: config.processor.cacheMb,
          logFile: files.log,
          stateFile: files.state,
          name: 'main',
          batchSize: config.processor.batchSize,
          pollIntervalMs: config.processor.pollIntervalMs,
        },
        http.log,
      )
    : null;
  // With the processor on, neither writer checkpoints its own WAL (see checkpointer.worker).
  const checkpointer =
    processor === null
      ? null
      : await CheckpointerThread.start(
          {
            files: [
              { file: files.log, schema: 'log' },
              { file: files.state, schema: 'state' },
            ],
            intervalMs: 250,
          },
          http.log,
        );
  if (processor !== null) eventLog.onAppend((last) => processor.notifyAppended(last));

  const metrics = createMetrics({
    lastOffset: () => eventLog.lastOffset(),
    logBytes: () => eventLog.sizeBytes(),
    logCommits: () => eventLog.commits,
    processorOffsets: () =>
      processor === null ? {} : { [processor.name]: processor.committedOffset },
  });
  const { plans, tally, flusher, quality } = qualityServices({
    db,
    stateDb,
    eventLog,
    sourceExists: (id) => keys.sourceExists(id),
    clock,
    log: http.log,
  });
  const { consent, consentGate, suppression, suppressionGate } = consentAndSuppression({
    config,
    db,
    stateDb,
    cipher,
    identityRules,
    clock,
    log: http.log,
  });
  const { rateLimits } = config;
  const writeLimiter = new RateLimiter(
    { perSecond: rateLimits.writePerSecond, burst: rateLimits.writeBurst },
    clock,
  );
  const ingestion = new IngestionService({
    log: eventLog,
    authenticate: (key) => keys.authenticateWriteKey(key),
    admit: (keyId) => writeLimiter.take(keyId),
    clock,
    ids,
    metrics: metrics.ingest,
    tally,
    // Suppressed (erased) people, then consent, then validation; PII protection last, just
    // before anything is stored.
    messageSteps: [suppressionGate, consentGate, trackingPlanStep(plans), protectPiiStep(cipher)],
  });
  const audit = new SqliteAuditLogStore(db);

  installErrorHandlers(http);
  // Before any route: every route must declare who may call it (see route-access.ts).
  declareRouteAccess(http);
  const subjectPseudonym = (target: string) => keyring.pseudonym('audit_subject', target);
  installAccessControl(http, {
    authenticate: (key) => keys.authenticateSecretKey(key),
    limiter: new RateLimiter(
      { perSecond: rateLimits.secretPerSecond, burst: rateLimits.secretBurst },
      clock,
    ),
    audit,
    clock,
    // The same classification as encryption at rest, configured paths included.
    pii: cipher.policy,
    subjectPseudonym,
  });
  await registerOpenApi(http, attuneVersion);
  await http.register(ingestionRoutes, {
    ingestion,
    observeLatency: metrics.observeIngestLatency,
    importMaxBytes: config.importMaxBytes,
  });
  await http.register(eventLogRoutes, { log: eventLog, maxScanned: 10_000 });
  await http.register(apiKeyRoutes, { keys });
  await http.register(auditRoutes, { audit, subjectPseudonym });
  const identity = new SqliteIdentityStore(stateDb, cipher);
  const profileStore = new SqliteProfileStore(stateDb, cipher);
  const rfmSnapshots = new SqliteRfmSnapshotsStore(db);
  const rfmBreakpoints = () => rfmSnapshots.latest()?.breakpoints ?? null;
  const profiles = new ProfilesService(
    identity,
    profileStore,
    eventLog,
    identityRules,
    processing.computedTraits,
    clock,
    rfmBreakpoints,
  );
  const { mergeEvents, segmentEvents, stageEvents } = eventRelays({
    stateDb,
    identity,
    eventLog,
    clock,
    logger: http.log,
    cipher,
    noteLogged: (outbox, seq) => processor?.noteOutboxLogged(outbox, seq),
  });
  const relays = [mergeEvents, segmentEvents, stageEvents];
  processor?.onCommitted(() => relays.forEach((relay) => relay.poke()));
  // Merges, memberships and stages committed before a restart and not yet in the log.
  if (processor !== null) relays.forEach((relay) => relay.poke());
  await http.register(profileRoutes, { profiles });
  await http.register(identityRoutes, { identity });
  await http.register(qualityRoutes, { plans, quality });
  const { segments, segmentDefinitions, rfm, rfmSchedule } = await registerSegments(http, {
    db,
    stateDb,
    config,
    profiles,
    profileStore,
    eventLog,
    computedTraits: processing.computedTraits,
    rfmSnapshots,
    rfmBreakpoints,
    clock,
    logger: http.log,
  });
  await http.register(consentRoutes, {
    consent,
    withoutAnalytics: config.consent.withoutAnalytics,
  });
  const { visitors, caps } = decideMemory(
    config,
    processor !== null,
    (column, id) => cipher.idColumn(column, id) as string,
  );
  const privacy = privacyServices({
    db,
    stateDb,
    eventLog,
    processor,
    relays,
    identity,
    profiles,
    suppression,
    cipher,
    identityRules,
    clock,
    ids,
    consent: {
      historyOf: (profileId) => Promise.resolve(consent.historyOf(profileId)),
      forget: (pseudonyms) => Promise.resolve(consent.forgetIdentifiers(pseudonyms)),
    },
    impressions: caps,
    ...(visitors && { cachedProfiles: visitors }),
    journeys: { db: journeysDb, forget: (ids) => journeyStore.forgetProfiles(ids) },
  });
  await http.register(privacyRoutes, privacy);
  const { retention, retentionSchedule } = await registerRetention(http, {
    config,
    db,
    stateDb,
    processor,
    clock,
    logger: http.log,
  });
  const decisions = await registerDecisions(http, {
    db,
    config,
    profiles,
    ...(visitors && { visitors }),
    segmentExists: (id) => segmentDefinitions.get(id)?.deletedAt === null,
    computedTraits: processing.computedTraits,
    rfmBreakpoints,
    authenticate: (key) => keys.authenticateWriteKey(key),
    ingestMessages: (writeKey, messages) => ingestion.ingestMessages(writeKey, messages),
    registry: metrics.registry,
    caps,
    consentOf: (ids) => consent.explicitChoicesOf(ids),
    clock,
    ids,
    logger: http.log,
  });
  processor?.onCommitted((_offset, changed, updated) => {
    // First: the live hub decides the changed profiles again, reading them fresh.
    visitors?.forget(changed);
    visitors?.forget(updated);
    decisions.hub.profilesChanged(changed);
  });
  const journeys = await registerJourneys(http, {
    store: journeyStore,
    config,
    eventLog,
    profiles,
    computedTraits: processing.computedTraits,
    rfmBreakpoints,
    consent,
    segmentExists: (id) => segmentDefinitions.get(id)?.deletedAt === null,
    processedThrough: () => (processor === null ? null : processor.committedOffset),
    ingestMessages: (writeKey, messages) => ingestion.ingestMessages(writeKey, messages),
    keys,
    keyring,
    registry: metrics.registry,
    clock,
    logger: http.log,
    ...(overrides.mailer && { mailer: overrides.mailer }),
  });
  processor?.onCommitted(() => journeys.executor?.poke());
  await registerWeb(http, {
    demo: config.decide.demo,
    keys,
    keyring,
    segments,
    placements: decisions.placements,
  });
  await http.register(observabilityRoutes, {
    registry: metrics.registry,
    checkStorage: () => eventLog.storageProblem(),
  });

  rfmSchedule?.start();
  retentionSchedule?.start();
  journeys.executor?.start();
  let closed = false;
  return {
    http,
    eventLog,
    processor,
    keys,
    keyring,
    consent,
    mergeEvents,
    segmentEvents,
    stageEvents,
    bootstrap,
    files,
    journeys: { executor: journeys.executor },
    async close() {
      if (closed) return;
      closed = true;
      await http.close();
      await journeys.close();
      await decisions.servedLog.flush();
      consent.flush();
      rfmSchedule?.stop();
      retentionSchedule?.stop();
      await retention.idle();
      await rfm.close();
      await flusher.stop();
      await processor?.stop();
      await checkpointer?.stop();
      for (const relay of relays) await relay.stop();
      await eventLog.close();
      db.close();
      stateDb.close();
      journeysDb.close();
      unlock();
    },
  };
}
