import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { convert, describeKind, flagText, kebab, setPath } from './config-text.js';
import {
  JourneysConfigSchema,
  journeysConfigSources,
  redactJourneysConfig,
} from './journeys-config.js';

const LogLevel = Type.Union(
  ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
);

export const ConfigSchema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  host: Type.String({ minLength: 1, default: '0.0.0.0' }),
  dataDir: Type.String({ minLength: 1, default: './.attune' }),
  writeKey: Type.Optional(Type.String({ minLength: 8, maxLength: 200 })),
  adminKey: Type.Optional(Type.String({ minLength: 16, maxLength: 200 })),
  logLevel: Type.Union(LogLevel.anyOf, { default: 'info' }),
  /**
   * Behind a reverse proxy: which peers' X-Forwarded-For/-Proto/-Host to believe: `true`
   * (any) or addresses/CIDRs separated by commas. Unset: none, and a request's IP (as the
   * audit log records it) is the peer's.
   */
  trustProxy: Type.Optional(
    Type.String({ pattern: '^(true|false|[0-9A-Fa-f:./]+( *, *[0-9A-Fa-f:./]+)*)$' }),
  ),
  dedupWindowMs: Type.Integer({ minimum: 60_000, default: 7 * 86_400_000 }),
  /** Largest JSONL upload on POST /v1/import, after decompression. */
  importMaxBytes: Type.Integer({ minimum: 1024, default: 50 * 1024 * 1024 }),
  processor: Type.Object({
    enabled: Type.Boolean({ default: true }),
    /**
     * Most events per transaction: a backlog is worked off in big transactions (a profile
     * touched many times in one is written once); caught up, each read commits at once.
     */
    batchSize: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 100_000 }),
    pollIntervalMs: Type.Integer({ minimum: 1, default: 200 }),
    /** SQLite page cache of the processor's connection to the state file, MiB. */
    cacheMb: Type.Integer({ minimum: 2, maximum: 65_536, default: 64 }),
    /**
     * Profiles (with their identifiers) kept in memory between batches, about 1.5 KB each.
     * Memory grows with the profiles there are, up to this; it should be well above the
     * number of active profiles (the cache keeps between half and all of it).
     */
    cachedProfiles: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 200_000 }),
  }),
  profiles: Type.Object({
    /** A JSON file with more computed trait definitions (an array). */
    computedTraitsFile: Type.Optional(Type.String({ minLength: 1 })),
  }),
  rfm: Type.Object({
    /** Recompute the RFM breakpoints when they are this many hours old; 0: only on request. */
    recomputeHours: Type.Integer({ minimum: 0, maximum: 8760, default: 24 }),
  }),
  retention: Type.Object({
    /** A JSON file of retention rules, [{sourceId?, type?, event?, days}] (first match wins). */
    file: Type.Optional(Type.String({ minLength: 1 })),
    /** Days to keep events no rule matches; 0 keeps them forever. */
    defaultDays: Type.Integer({ minimum: 0, maximum: 36_500, default: 0 }),
    /** How often the purge runs; 0: only on request. */
    intervalMinutes: Type.Integer({ minimum: 0, maximum: 10_080, default: 60 }),
  }),
  privacy: Type.Object({
    /**
     * AES-256 keys for PII at rest, `id:base64,id:base64` (oldest first; new writes use the
     * last). Unset: generated once into `<dataDir>/keyring.json`.
     */
    encryptionKeys: Type.Optional(Type.String({ minLength: 1 })),
    /** HMAC key (base64, ≥ 32 bytes) of lookup pseudonyms. Unset: from the keyring file. */
    pseudonymKey: Type.Optional(Type.String({ minLength: 1 })),
    /**
     * More trait/property paths that are PII besides the defaults (`traits.ssn`,
     * `properties.card.holder`); a path of one segment is a key, PII wherever it appears.
     */
    piiPaths: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    /** Store IPs truncated (IPv4 to /24, IPv6 to /48) before they are encrypted. */
    truncateIp: Type.Boolean({ default: false }),
  }),
  consent: Type.Object({
    /** A JSON file with the consent policy (purposes, defaults, regions); docs/consent.md. */
    policyFile: Type.Optional(Type.String({ minLength: 1 })),
    /**
     * What ingest does with an event whose person has not allowed analytics: `drop` it
     * (nothing stored) or `anonymize` it (stored without identifiers or PII).
     */
    withoutAnalytics: Type.Union([Type.Literal('drop'), Type.Literal('anonymize')], {
      default: 'drop',
    }),
  }),
  /**
   * Token buckets per key (0 requests/s: off). Write keys: one busy source may send ~1,000
   * batches/s in the ingest benchmark, so the default leaves twice that; secret keys serve
   * people and scripts on the admin API, where 50/s is generous and a runaway loop is not.
   */
  rateLimits: Type.Object({
    writePerSecond: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 2000 }),
    writeBurst: Type.Integer({ minimum: 1, maximum: 10_000_000, default: 4000 }),
    secretPerSecond: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 50 }),
    secretBurst: Type.Integer({ minimum: 1, maximum: 10_000_000, default: 200 }),
  }),
  decide: Type.Object({
    /** Percent of profiles that always get each placement's fallback (to measure lift). */
    holdoutPercent: Type.Integer({ minimum: 0, maximum: 100, default: 0 }),
    /** A decide request past this many ms answers its remaining placements' fallbacks. */
    timeBudgetMs: Type.Integer({ minimum: 1, maximum: 60_000, default: 25 }),
    /**
     * Profiles of recent visitors kept in memory for decide (0: none). The processor's
     * commits drop the ones it changes; without the processor nothing is kept.
     */
    cachedVisitors: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 10_000 }),
    /**
     * How often a live connection is pinged. Proxies close a WebSocket idle for their read
     * timeout (nginx: 60 s by default); a ping within it keeps the page's connection.
     */
    livePingMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
    /** Serve the demo shop at /demo (it defines its own source, segments and placement). */
    demo: Type.Boolean({ default: true }),
  }),
  journeys: JourneysConfigSchema,
  identity: Type.Object({
    /** Region for phone numbers without a country code. */
    phoneRegion: Type.String({ pattern: '^[A-Z]{2}$', default: 'US' }),
    /** A JSON file overriding blockedValues, limits or priority of the identity rules. */
    rulesFile: Type.Optional(Type.String({ minLength: 1 })),
  }),
});
export type Config = Static<typeof ConfigSchema>;

/** Where each setting comes from: environment variable and CLI flag. */
export const configSources = [
  { path: 'port', env: ['ATTUNE_PORT', 'PORT'], flag: 'port', kind: 'integer' },
  { path: 'host', env: ['ATTUNE_HOST', 'HOST'], flag: 'host', kind: 'string' },
  { path: 'dataDir', env: ['ATTUNE_DATA_DIR'], flag: 'dataDir', kind: 'string' },
  { path: 'writeKey', env: ['ATTUNE_WRITE_KEY'], flag: 'writeKey', kind: 'string' },
  { path: 'adminKey', env: ['ATTUNE_ADMIN_KEY'], flag: 'adminKey', kind: 'string' },
  { path: 'logLevel', env: ['ATTUNE_LOG_LEVEL'], flag: 'logLevel', kind: 'string' },
  { path: 'trustProxy', env: ['ATTUNE_TRUST_PROXY'], flag: 'trustProxy', kind: 'string' },
  { path: 'dedupWindowMs', env: ['ATTUNE_DEDUP_WINDOW'], flag: 'dedupWindow', kind: 'duration' },
  {
    path: 'importMaxBytes',
    env: ['ATTUNE_IMPORT_MAX_BYTES'],
    flag: 'importMaxBytes',
    kind: 'integer',
  },
  { path: 'processor.enabled', env: ['ATTUNE_PROCESSOR'], flag: 'processor', kind: 'boolean' },
  {
    path: 'processor.batchSize',
    env: ['ATTUNE_PROCESSOR_BATCH_SIZE'],
    flag: 'processorBatchSize',
    kind: 'integer',
  },
  {
    path: 'processor.cacheMb',
    env: ['ATTUNE_PROCESSOR_CACHE_MB'],
    flag: 'processorCacheMb',
    kind: 'integer',
  },
  {
    path: 'processor.cachedProfiles',
    env: ['ATTUNE_PROCESSOR_CACHED_PROFILES'],
    flag: 'processorCachedProfiles',
    kind: 'integer',
  },
  {
    path: 'profiles.computedTraitsFile',
    env: ['ATTUNE_COMPUTED_TRAITS'],
    flag: 'computedTraits',
    kind: 'string',
  },
  {
    path: 'decide.holdoutPercent',
    env: ['ATTUNE_DECIDE_HOLDOUT_PERCENT'],
    flag: 'decideHoldoutPercent',
    kind: 'integer',
  },
  {
    path: 'decide.timeBudgetMs',
    env: ['ATTUNE_DECIDE_TIME_BUDGET_MS'],
    flag: 'decideTimeBudgetMs',
    kind: 'integer',
  },
  {
    path: 'decide.livePingMs',
    env: ['ATTUNE_LIVE_PING_MS'],
    flag: 'livePingMs',
    kind: 'integer',
  },
  {
    path: 'decide.cachedVisitors',
    env: ['ATTUNE_DECIDE_CACHED_VISITORS'],
    flag: 'decideCachedVisitors',
    kind: 'integer',
  },
  { path: 'decide.demo', env: ['ATTUNE_DEMO'], flag: 'demo', kind: 'boolean' },
  {
    path: 'rfm.recomputeHours',
    env: ['ATTUNE_RFM_RECOMPUTE_HOURS'],
    flag: 'rfmRecomputeHours',
    kind: 'integer',
  },
  { path: 'retention.file', env: ['ATTUNE_RETENTION_FILE'], flag: 'retentionFile', kind: 'string' },
  {
    path: 'retention.defaultDays',
    env: ['ATTUNE_RETENTION_DAYS'],
    flag: 'retentionDays',
    kind: 'integer',
  },
  {
    path: 'retention.intervalMinutes',
    env: ['ATTUNE_RETENTION_INTERVAL_MINUTES'],
    flag: 'retentionIntervalMinutes',
    kind: 'integer',
  },
  {
    path: 'privacy.encryptionKeys',
    env: ['ATTUNE_ENCRYPTION_KEYS'],
    flag: 'encryptionKeys',
    kind: 'string',
  },
  {
    path: 'privacy.pseudonymKey',
    env: ['ATTUNE_PSEUDONYM_KEY'],
    flag: 'pseudonymKey',
    kind: 'string',
  },
  { path: 'privacy.piiPaths', env: ['ATTUNE_PII_PATHS'], flag: 'piiPaths', kind: 'list' },
  {
    path: 'privacy.truncateIp',
    env: ['ATTUNE_TRUNCATE_IP'],
    flag: 'truncateIp',
    kind: 'boolean',
  },
  {
    path: 'consent.policyFile',
    env: ['ATTUNE_CONSENT_POLICY'],
    flag: 'consentPolicy',
    kind: 'string',
  },
  {
    path: 'consent.withoutAnalytics',
    env: ['ATTUNE_CONSENT_WITHOUT_ANALYTICS'],
    flag: 'consentWithoutAnalytics',
    kind: 'string',
  },
  {
    path: 'rateLimits.writePerSecond',
    env: ['ATTUNE_RATE_LIMIT_WRITE'],
    flag: 'rateLimitWrite',
    kind: 'integer',
  },
  {
    path: 'rateLimits.writeBurst',
    env: ['ATTUNE_RATE_LIMIT_WRITE_BURST'],
    flag: 'rateLimitWriteBurst',
    kind: 'integer',
  },
  {
    path: 'rateLimits.secretPerSecond',
    env: ['ATTUNE_RATE_LIMIT_SECRET'],
    flag: 'rateLimitSecret',
    kind: 'integer',
  },
  {
    path: 'rateLimits.secretBurst',
    env: ['ATTUNE_RATE_LIMIT_SECRET_BURST'],
    flag: 'rateLimitSecretBurst',
    kind: 'integer',
  },
  {
    path: 'identity.phoneRegion',
    env: ['ATTUNE_PHONE_REGION'],
    flag: 'phoneRegion',
    kind: 'string',
  },
  {
    path: 'identity.rulesFile',
    env: ['ATTUNE_IDENTITY_RULES'],
    flag: 'identityRules',
    kind: 'string',
  },
  ...journeysConfigSources,
] as const;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigInput {
  env: Record<string, string | undefined>;
  /** Parsed CLI flags (camelCase, as commander gives them); they win over the environment. */
  flags?: Record<string, unknown>;
}

/** Builds the one validated config object. Throws ConfigError listing every problem. */
export function loadConfig({ env, flags = {} }: ConfigInput): Config {
  const raw: Record<string, unknown> = {
    processor: {},
    identity: {},
    profiles: {},
    rfm: {},
    decide: {},
    retention: {},
    privacy: {},
    consent: {},
    rateLimits: {},
    journeys: { smtp: {} },
  };
  const problems: string[] = [];
  for (const source of configSources) {
    const fromFlag = flags[source.flag];
    const envName = source.env.find((name) => env[name] !== undefined && env[name] !== '');
    const text = fromFlag !== undefined ? flagText(fromFlag) : envName ? env[envName] : undefined;
    if (text === undefined) continue;
    const origin = fromFlag !== undefined ? `--${kebab(source.flag)}` : envName;
    const value = convert(text, source.kind);
    if (value === undefined) {
      problems.push(
        `${origin}: ${describeKind(source.kind)} expected, got ${JSON.stringify(text)}`,
      );
      continue;
    }
    setPath(raw, source.path, value);
  }
  const withDefaults = Value.Default(ConfigSchema, raw);
  for (const error of Value.Errors(ConfigSchema, withDefaults)) {
    problems.push(`${error.path.slice(1).replaceAll('/', '.')}: ${error.message}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return withDefaults as Config;
}

/** A copy safe to log: secrets replaced. */
export function redactConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    writeKey: config.writeKey === undefined ? undefined : '[redacted]',
    adminKey: config.adminKey === undefined ? undefined : '[redacted]',
    privacy: {
      ...config.privacy,
      encryptionKeys: config.privacy.encryptionKeys === undefined ? undefined : '[redacted]',
      pseudonymKey: config.privacy.pseudonymKey === undefined ? undefined : '[redacted]',
    },
    journeys: redactJourneysConfig(config.journeys),
  };
}

/** `trustProxy` as Fastify takes it. */
export function trustProxyOption(value: string | undefined): boolean | string {
  if (value === undefined || value === 'false') return false;
  return value === 'true' ? true : value.replace(/ /g, '');
}
