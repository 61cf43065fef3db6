import type { ComputedTraitDefinition, ConditionInput, RfmBreakpoints } from '@attune/engine';
import { isValidTimeZone } from '@attune/engine';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Histogram, type Registry } from 'prom-client';
import { FetchHttpSender } from './adapters/http/fetch-http-sender.js';
import type { SqliteJourneyStore } from './adapters/sqlite/journeys.sqlite.js';
import { SmtpMailer } from './adapters/smtp/smtp-mailer.js';
import type { Config } from './config/config.js';
import type { EventLog } from './modules/event-log/event-log.store.js';
import type { IngestResult } from './modules/ingestion/ingestion.service.js';
import type { HttpSender } from './modules/journeys/http-sender.js';
import { ActionPerformer } from './modules/journeys/journey-actions.js';
import { JourneyExecutor } from './modules/journeys/journey-executor.js';
import { JourneyFollower } from './modules/journeys/journey-follower.js';
import { JourneyRegistry } from './modules/journeys/journey-registry.js';
import { JourneySteps, type JourneyProfiles } from './modules/journeys/journey-steps.js';
import { JourneyTemplates } from './modules/journeys/journey-templates.js';
import { journeyRoutes } from './modules/journeys/journeys.routes.js';
import { JourneysService } from './modules/journeys/journeys.service.js';
import type { Mailer } from './modules/journeys/mailer.js';
import { UnsubscribeLinks } from './modules/journeys/unsubscribe-links.js';
import type { ConsentService } from './modules/privacy/consent.service.js';
import { computedView, lazyComputedView } from './modules/profiles/computed-view.js';
import type { ProfilesService } from './modules/profiles/profiles.service.js';
import type { Clock } from './platform/clock.js';
import type { Keyring } from './platform/keyring.js';
import type { ApiKeysService } from './modules/access/api-keys.service.js';
import { derivedWriteKey } from './modules/access/derived-write-key.js';

export interface JourneysWiring {
  store: SqliteJourneyStore;
  config: Pick<Config, 'journeys' | 'port'>;
  eventLog: Pick<EventLog, 'readFields' | 'readOffsets'>;
  profiles: Pick<ProfilesService, 'profileIdOf' | 'load' | 'identifiersOf'>;
  computedTraits: readonly ComputedTraitDefinition[];
  rfmBreakpoints: () => RfmBreakpoints | null;
  consent: Pick<ConsentService, 'allowsProfile' | 'recordForProfile' | 'policy'>;
  segmentExists(id: string): boolean;
  /** The offset the processor has committed through, or null without a processor here. */
  processedThrough: () => number | null;
  ingestMessages(writeKey: string, messages: readonly object[]): Promise<IngestResult>;
  /** Where the `journeys` source's write key is made (its events: update_traits, track_event). */
  keys: Pick<ApiKeysService, 'ensureWriteKey'>;
  keyring: Keyring;
  registry: Registry;
  clock: Clock;
  logger: FastifyBaseLogger;
  /** Tests inject these; otherwise SMTP (when configured) and fetch. */
  mailer?: Mailer;
  http?: HttpSender;
}

/** Journeys: definitions and stats on the API, and the executor that runs them here. */
export async function registerJourneys(http: FastifyInstance, w: JourneysWiring) {
  const { config, clock } = w;
  const settings = config.journeys;
  const { store } = w;
  // Journeys' own events come from a source of their own.
  const writeKey = derivedWriteKey(w.keyring, 'journeys');
  await w.keys.ensureWriteKey(writeKey, 'journeys', 'Journeys');
  const registry = new JourneyRegistry(store);
  registry.reload();
  const templates = new JourneyTemplates();
  const mailer =
    w.mailer ??
    (settings.smtp.host === undefined
      ? null
      : new SmtpMailer({
          host: settings.smtp.host,
          port: settings.smtp.port,
          secure: settings.smtp.secure,
          ...(settings.smtp.user !== undefined && { user: settings.smtp.user }),
          ...(settings.smtp.password !== undefined && { password: settings.smtp.password }),
          connectionTimeoutMs: 10_000,
          // Each message takes a few round trips, each waiting for a turn of this busy thread:
          // more connections keep more messages moving (servers commonly allow 10 or more).
          maxConnections: Math.min(settings.concurrency, 8),
        }));
  const links = new UnsubscribeLinks(
    settings.publicUrl ?? `http://localhost:${config.port}`,
    (text) => w.keyring.pseudonym('unsubscribe', text),
  );
  const journeys = new JourneysService({
    store,
    registry,
    clock,
    context: {
      segmentExists: (id) => w.segmentExists(id),
      templateProblem: (template) => templates.problemOf(template),
      purposeExists: (purpose) => Object.hasOwn(w.consent.policy.purposes, purpose),
      emailUnavailable:
        mailer === null
          ? 'No SMTP server is configured: set ATTUNE_SMTP_HOST (and port, user, password)'
          : null,
      webhooksUnavailable:
        settings.webhookSecret === undefined
          ? 'Webhooks are signed: set ATTUNE_WEBHOOK_SECRET (16 characters or more)'
          : null,
    },
  });
  const profiles: JourneyProfiles = {
    input(profileId, now): ConditionInput | undefined {
      const profile = w.profiles.load(profileId);
      if (profile === undefined) return undefined;
      const members = profile.segments.members;
      return {
        now,
        traits: profile.traits.values,
        computed: lazyComputedView(profile, w.computedTraits, now, w.rfmBreakpoints()),
        trails: {},
        isMember: (id) => Object.hasOwn(members, id),
        stage: profile.segments.stage ?? null,
        consent: (purpose) => w.consent.allowsProfile(profile.id, purpose),
      };
    },
    allows: (profileId, purpose) => w.consent.allowsProfile(profileId, purpose),
    timeZoneOf(input) {
      const zone = input?.traits['timezone'];
      return typeof zone === 'string' && isValidTimeZone(zone) ? zone : settings.defaultTimeZone;
    },
  };
  const steps = new JourneySteps(store, profiles);
  const follower = new JourneyFollower({
    store,
    registry,
    steps,
    log: w.eventLog,
    profiles: {
      idOf: (ids) => w.profiles.profileIdOf(ids),
      input: (id, now) => profiles.input(id, now),
    },
    clock,
    batchSize: 1000,
  });
  const performer = new ActionPerformer({
    mailer,
    http: w.http ?? new FetchHttpSender(),
    mailFrom: settings.smtp.from,
    webhookSecret: settings.webhookSecret ?? null,
    profile(id) {
      const profile = w.profiles.load(id);
      if (profile === undefined) return undefined;
      return {
        id: profile.id,
        traits: profile.traits.values,
        computed: () => computedView(profile, w.computedTraits, clock.now(), w.rfmBreakpoints()),
        identifiers: () => w.profiles.identifiersOf(profile.id),
      };
    },
    async triggerEvent(offset) {
      const [event] = await w.eventLog.readOffsets([offset]);
      if (event === undefined) return null;
      const message = JSON.parse(event.message) as {
        properties?: Record<string, unknown>;
        timestamp?: string;
      };
      return {
        event: event.event,
        properties: message.properties ?? {},
        timestamp: new Date(event.timestamp).toISOString(),
      };
    },
    async ingest(message) {
      const result = await w.ingestMessages(writeKey, [message]);
      if (result.kind === 'refused') throw new Error(result.rejection.detail);
    },
    unsubscribeUrl: (profileId, purpose) => links.url(profileId, purpose),
    templates,
    clock,
    defaultTimeoutMs: 5000,
  });
  const lag = new Histogram({
    name: 'attune_journey_timer_lag_seconds',
    help: 'How late due journey timers were picked up',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300],
    registers: [w.registry],
  });
  const executor =
    !settings.enabled || w.processedThrough() === null
      ? null
      : new JourneyExecutor(
          {
            store,
            registry,
            steps,
            follower,
            performer,
            processedThrough: () => w.processedThrough() ?? 0,
            clock,
            logger: w.logger,
            observeLag: (ms) => lag.observe(Math.max(0, ms) / 1000),
          },
          {
            stepsPerSecond: settings.stepsPerSecond,
            concurrency: settings.concurrency,
            retryBaseMs: settings.retryBaseMs,
            tickMs: settings.tickMs,
          },
        );
  await http.register(journeyRoutes, {
    journeys,
    links,
    // Recorded as an API choice: the consent history's sources are fixed in its schema.
    unsubscribe: (profileId, purpose) => {
      w.consent.recordForProfile(profileId, { [purpose]: false }, 'api');
    },
  });
  return {
    journeys,
    executor,
    /** Erasure: every run, action and send of these profiles. */
    forget: (profileIds: readonly string[]) => store.forgetProfiles(profileIds),
    async close() {
      await executor?.stop();
      await mailer?.close();
    },
  };
}
