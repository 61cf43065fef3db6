import { SqliteSubjectEraser } from './adapters/sqlite/subject-eraser.sqlite.js';
import { subjectEventOffsets } from './adapters/sqlite/subject-events.sqlite.js';
import { expandSubject } from './adapters/sqlite/subject-graph.sqlite.js';
import { SqliteSubjectRecords } from './adapters/sqlite/subject-records.sqlite.js';
import { scanForNeedles } from './adapters/sqlite/subject-scan.sqlite.js';
import type { SqliteDatabase } from './adapters/sqlite/open-database.js';
import type { SqliteEventLog } from './adapters/sqlite/event-log.sqlite.js';
import type { IdentityRules } from '@attune/engine';
import type { IdentityStore } from './modules/identity/identity.store.js';
import type { ProfilesService } from './modules/profiles/profiles.service.js';
import { DataExportService } from './modules/privacy/data-export.service.js';
import { ErasureService } from './modules/privacy/erasure.service.js';
import { SuppressionList } from './modules/privacy/suppression-list.js';
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { SqliteConsentStore } from './adapters/sqlite/consent-store.sqlite.js';
import { SqliteIdentityStore } from './adapters/sqlite/identity-store.sqlite.js';
import { SqliteSuppressionStore } from './adapters/sqlite/suppression-list.sqlite.js';
import type { Config } from './config/config.js';
import { consentPolicyOf } from './config/consent-policy.js';
import type { MessageStep } from './modules/ingestion/ingestion.service.js';
import { anonymizer } from './modules/privacy/anonymize-message.js';
import { consentGateStep } from './modules/privacy/consent-gate.step.js';
import { ConsentService } from './modules/privacy/consent.service.js';
import { suppressionStep } from './modules/privacy/suppression.step.js';
import { TcfDecoder } from './modules/privacy/tcf.js';
import type { Clock } from './platform/clock.js';
import type { IdGenerator } from './platform/ids.js';
import type { PiiCipher } from './modules/privacy/pii-cipher.js';
import type { ProcessorThread } from './workers/processor-thread.js';

/** Consent records of a subject, from the consent module. */
export interface ConsentRecords {
  historyOf(profileId: string): Promise<unknown[]>;
  forget(pseudonyms: readonly string[]): Promise<number>;
}

export interface PrivacyWiring {
  db: SqliteDatabase;
  stateDb: SqliteDatabase;
  eventLog: SqliteEventLog;
  processor: ProcessorThread | null;
  /** The outboxes that announce merges, memberships and stages as log events. */
  relays: readonly { idle(): Promise<void> }[];
  identity: Pick<IdentityStore, 'resolve' | 'identifiersOf'>;
  profiles: ProfilesService;
  suppression: SuppressionList;
  cipher: PiiCipher;
  identityRules: IdentityRules;
  clock: Clock;
  ids: IdGenerator;
  consent: ConsentRecords;
  /** The decide API's in-memory frequency-cap counts (FrequencyCaps). */
  impressions: { forget(pseudonyms: readonly string[]): number };
  /** Profiles kept in memory elsewhere (decide's visitors), dropped once erased. */
  cachedProfiles?: { forget(profileIds: Iterable<string>): void };
  /** Journey runs, actions and sends (journeys.db), erased and scanned with the rest. */
  journeys: { db: SqliteDatabase; forget(profileIds: readonly string[]): number };
}

/**
 * Consent and the suppression list, with the two ingest steps that enforce them: the
 * suppression gate (erased people) and the consent gate.
 */
export function consentAndSuppression(w: {
  config: Config;
  db: SqliteDatabase;
  stateDb: SqliteDatabase;
  cipher: PiiCipher;
  identityRules: IdentityRules;
  clock: Clock;
  log: FastifyBaseLogger;
}): {
  consent: ConsentService;
  consentGate: MessageStep;
  suppression: SuppressionList;
  suppressionGate: MessageStep;
} {
  const { cipher, clock } = w;
  const pseudonym = (type: string, value: string) => cipher.pseudonym(type, value);
  const policy = consentPolicyOf(w.config);
  const consent = new ConsentService({
    store: new SqliteConsentStore(w.db),
    policy,
    pseudonym,
    rules: w.identityRules,
    identity: new SqliteIdentityStore(w.stateDb, cipher),
    clock,
    onFlushError: (err) => w.log.error({ err }, 'consent changes could not be stored'),
  });
  consent.load();
  const consentGate = consentGateStep({
    consent,
    tcf: new TcfDecoder(policy),
    withoutAnalytics: w.config.consent.withoutAnalytics,
    anonymize: anonymizer(cipher.policy, randomUUID),
  });
  const suppression = new SuppressionList(new SqliteSuppressionStore(w.db));
  const suppressionGate = suppressionStep({
    list: suppression,
    pseudonym,
    rules: w.identityRules,
    clock,
  });
  return { consent, consentGate, suppression, suppressionGate };
}

/** Tables that may name a subject by design: the suppression list (pseudonyms) and audit. */
const keptByDesign = (table: string): boolean =>
  table === 'suppressed_identifiers' || table.startsWith('audit');

/** The data subject request services, wired to the request thread's connections. */
export function privacyServices(w: PrivacyWiring): {
  erasure: ErasureService;
  dataExport: DataExportService;
} {
  const { consent } = w;
  // With the processor off this thread owns the state file, so it erases directly.
  const local = new SqliteSubjectEraser(w.db, w.stateDb, w.identityRules, w.cipher);
  const { processor } = w;
  let startOffset = 0;
  const erasure = new ErasureService({
    resolve: (id) => w.identity.resolve(id),
    identifiersOf: (id) => w.identity.identifiersOf(id),
    async eraseSubject(seed) {
      startOffset = await w.eventLog.lastOffset();
      const erased = await (processor === null ? local.erase(seed) : processor.erase(seed));
      w.cachedProfiles?.forget(erased.profileIds);
      return erased;
    },
    async sweepAnnouncements(profileIds) {
      await Promise.all(w.relays.map((relay) => relay.idle()));
      return local.eraseAnnouncements(profileIds, startOffset);
    },
    forgetConsent: (pseudonyms) => consent.forget(pseudonyms),
    forgetImpressions: (pseudonyms) => w.impressions.forget(pseudonyms),
    forgetJourneys: (profileIds) => w.journeys.forget(profileIds),
    scan: (needles) =>
      scanForNeedles(
        [
          { name: 'attune', db: w.db },
          { name: 'state', db: w.stateDb },
          { name: 'journeys', db: w.journeys.db },
        ],
        needles,
        keptByDesign,
      ),
    suppression: w.suppression,
    pseudonym: (type, value) => w.cipher.pseudonym(type, value),
    clock: w.clock,
    ids: w.ids,
  });
  const dataExport = new DataExportService({
    resolve: (id) => w.identity.resolve(id),
    subjectOf: (id) => expandSubject(w.stateDb, w.cipher, { profileIds: [id], identifiers: [] }),
    eventOffsets: (subject) =>
      subjectEventOffsets(w.db, w.stateDb, w.identityRules, w.cipher, subject),
    readEvents: (offsets) => w.eventLog.readOffsets(offsets),
    profiles: w.profiles,
    records: new SqliteSubjectRecords(w.stateDb),
    consentHistory: (profileId) => consent.historyOf(profileId),
    clock: w.clock,
  });
  return { erasure, dataExport };
}
