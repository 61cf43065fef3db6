import { Type, type Static } from '@sinclair/typebox';

/** Settings of journeys: where email goes out, how fast a burst drains, how webhooks sign. */
export const JourneysConfigSchema = Type.Object({
  enabled: Type.Boolean({ default: true }),
  /** Run advances per second at most: a burst of 100k entries is queued and drains at this. */
  stepsPerSecond: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 2000 }),
  /** Emails and webhooks in flight at once. */
  concurrency: Type.Integer({ minimum: 1, maximum: 1000, default: 16 }),
  /** A failed send is retried after this, then twice as long each time (webhooks, email). */
  retryBaseMs: Type.Integer({ minimum: 1, maximum: 3_600_000, default: 30_000 }),
  /** How often due timers are looked for, ms. */
  tickMs: Type.Integer({ minimum: 5, maximum: 60_000, default: 50 }),
  /** The time zone of profiles without a valid `timezone` trait (quiet hours, wait until). */
  defaultTimeZone: Type.String({ minLength: 1, default: 'UTC' }),
  /** Where people reach this server: unsubscribe links start with it. */
  publicUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
  /** Signs webhook bodies (X-Attune-Signature); webhook actions need it. */
  webhookSecret: Type.Optional(Type.String({ minLength: 16 })),
  smtp: Type.Object({
    /** Unset: email actions are refused (no server to send through). */
    host: Type.Optional(Type.String({ minLength: 1 })),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 587 }),
    /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
    secure: Type.Boolean({ default: false }),
    user: Type.Optional(Type.String({ minLength: 1 })),
    password: Type.Optional(Type.String({ minLength: 1 })),
    from: Type.String({ minLength: 3, default: 'Attune <no-reply@localhost>' }),
  }),
});

export const journeysConfigSources = [
  { path: 'journeys.enabled', env: ['ATTUNE_JOURNEYS'], flag: 'journeys', kind: 'boolean' },
  {
    path: 'journeys.stepsPerSecond',
    env: ['ATTUNE_JOURNEY_STEPS_PER_SECOND'],
    flag: 'journeyStepsPerSecond',
    kind: 'integer',
  },
  {
    path: 'journeys.concurrency',
    env: ['ATTUNE_JOURNEY_CONCURRENCY'],
    flag: 'journeyConcurrency',
    kind: 'integer',
  },
  {
    path: 'journeys.retryBaseMs',
    env: ['ATTUNE_JOURNEY_RETRY_BASE_MS'],
    flag: 'journeyRetryBaseMs',
    kind: 'integer',
  },
  {
    path: 'journeys.tickMs',
    env: ['ATTUNE_JOURNEY_TICK_MS'],
    flag: 'journeyTickMs',
    kind: 'integer',
  },
  {
    path: 'journeys.defaultTimeZone',
    env: ['ATTUNE_DEFAULT_TIMEZONE'],
    flag: 'defaultTimezone',
    kind: 'string',
  },
  { path: 'journeys.publicUrl', env: ['ATTUNE_PUBLIC_URL'], flag: 'publicUrl', kind: 'string' },
  {
    path: 'journeys.webhookSecret',
    env: ['ATTUNE_WEBHOOK_SECRET'],
    flag: 'webhookSecret',
    kind: 'string',
  },
  { path: 'journeys.smtp.host', env: ['ATTUNE_SMTP_HOST'], flag: 'smtpHost', kind: 'string' },
  { path: 'journeys.smtp.port', env: ['ATTUNE_SMTP_PORT'], flag: 'smtpPort', kind: 'integer' },
  {
    path: 'journeys.smtp.secure',
    env: ['ATTUNE_SMTP_SECURE'],
    flag: 'smtpSecure',
    kind: 'boolean',
  },
  { path: 'journeys.smtp.user', env: ['ATTUNE_SMTP_USER'], flag: 'smtpUser', kind: 'string' },
  {
    path: 'journeys.smtp.password',
    env: ['ATTUNE_SMTP_PASSWORD'],
    flag: 'smtpPassword',
    kind: 'string',
  },
  { path: 'journeys.smtp.from', env: ['ATTUNE_MAIL_FROM'], flag: 'mailFrom', kind: 'string' },
] as const;

/** The journeys settings safe to log: the webhook secret and SMTP password replaced. */
export function redactJourneysConfig(
  journeys: Static<typeof JourneysConfigSchema>,
): Record<string, unknown> {
  const redacted = (value: string | undefined) => (value === undefined ? undefined : '[redacted]');
  return {
    ...journeys,
    webhookSecret: redacted(journeys.webhookSecret),
    smtp: { ...journeys.smtp, password: redacted(journeys.smtp.password) },
  };
}
