import { createHmac } from 'node:crypto';
import type { Clock } from '../../platform/clock.js';
import type { HttpSender } from './http-sender.js';
import type { JourneyTemplates } from './journey-templates.js';
import type { ActionJob } from './journey-steps.js';
import type { Mailer } from './mailer.js';

export type ActionResult = { ok: true } | { ok: false; retryable: boolean; error: string };

/** The entry event as templates and webhooks see it. */
export interface TriggerEvent {
  event: string | null;
  properties: Record<string, unknown>;
  timestamp: string;
}

/** What actions read of a profile: cheap parts eagerly, the rest when asked. */
export interface ActionProfile {
  id: string;
  traits: Record<string, unknown>;
  computed(): Record<string, unknown>;
  identifiers(): { type: string; value: string }[];
}

export interface ActionPerformerDeps {
  mailer: Mailer | null;
  http: HttpSender;
  mailFrom: string;
  webhookSecret: string | null;
  profile(profileId: string): ActionProfile | undefined;
  triggerEvent(offset: number): Promise<TriggerEvent | null>;
  /** Ingests one message as the journeys source (messageId = action id: a retry is deduplicated). */
  ingest(message: Record<string, unknown>): Promise<void>;
  unsubscribeUrl(profileId: string, purpose: string): string;
  templates: JourneyTemplates;
  clock: Clock;
  defaultTimeoutMs: number;
}

/** `sha256=<hex>` of `<unix seconds>.<body>`: what a receiver recomputes to trust a webhook. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

const emailPattern = /^[^\s@<>]+@[^\s@<>]+$/;

/** Performs action jobs: the I/O of journeys (email, webhooks, events into the log). */
export class ActionPerformer {
  constructor(private readonly deps: ActionPerformerDeps) {}

  async perform(job: ActionJob): Promise<ActionResult> {
    try {
      return await this.performOrThrow(job);
    } catch (error) {
      return {
        ok: false,
        retryable: true,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }

  private async performOrThrow(job: ActionJob): Promise<ActionResult> {
    const profile = this.deps.profile(job.run.profileId);
    if (profile === undefined)
      return { ok: false, retryable: false, error: 'the profile no longer exists' };
    const { action } = job;
    switch (action.type) {
      case 'email':
        return this.email(job, action, profile);
      case 'webhook':
        return this.webhook(job, action, profile);
      case 'update_traits':
      case 'track_event': {
        const ids = identityOf(profile);
        if (ids === null)
          return { ok: false, retryable: false, error: 'the profile has no user or anonymous id' };
        const message =
          action.type === 'update_traits'
            ? { type: 'identify', traits: action.traits }
            : { type: 'track', event: action.event, properties: action.properties ?? {} };
        await this.deps.ingest({
          ...message,
          ...ids,
          messageId: job.actionId,
          context: { library: { name: 'attune-journeys', version: '1' }, journey: journeyRef(job) },
        });
        return { ok: true };
      }
    }
  }

  private async email(
    job: ActionJob,
    action: Extract<ActionJob['action'], { type: 'email' }>,
    profile: ActionProfile,
  ): Promise<ActionResult> {
    const { mailer, templates } = this.deps;
    if (mailer === null)
      return { ok: false, retryable: false, error: 'no SMTP server is configured' };
    const to = profile.traits[action.toTrait ?? 'email'];
    if (typeof to !== 'string' || !emailPattern.test(to))
      return {
        ok: false,
        retryable: false,
        error: `the profile has no email address in ${action.toTrait ?? 'email'}`,
      };
    const purpose = action.purpose ?? 'marketing_email';
    const unsubscribeUrl = this.deps.unsubscribeUrl(profile.id, purpose);
    let computed: Record<string, unknown> | undefined;
    const scope = {
      traits: profile.traits,
      // Only a template that reads them pays for the computed traits.
      get computed() {
        return (computed ??= profile.computed());
      },
      event: await this.trigger(job),
      journey: journeyRef(job),
      unsubscribe_url: unsubscribeUrl,
    };
    const result = await mailer.send({
      messageId: `${job.actionId}@attune`,
      from: action.from ?? this.deps.mailFrom,
      to,
      subject: templates.render(action.subject, scope, 'plain').trim(),
      ...(action.html !== undefined && { html: templates.render(action.html, scope, 'html') }),
      ...(action.text !== undefined && { text: templates.render(action.text, scope, 'plain') }),
      headers: {
        'List-Unsubscribe': `<${unsubscribeUrl}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });
    return result.ok
      ? { ok: true }
      : { ok: false, retryable: !result.permanent, error: result.error };
  }

  private async webhook(
    job: ActionJob,
    action: Extract<ActionJob['action'], { type: 'webhook' }>,
    profile: ActionProfile,
  ): Promise<ActionResult> {
    const { webhookSecret, clock } = this.deps;
    if (webhookSecret === null)
      return { ok: false, retryable: false, error: 'no webhook secret is configured' };
    const body = JSON.stringify({
      id: job.actionId,
      journey: journeyRef(job),
      step: job.step,
      profile: { id: profile.id, traits: profile.traits },
      event: await this.trigger(job),
      data: action.data ?? {},
      attempt: job.attempt,
    });
    const timestamp = Math.floor(clock.now() / 1000);
    const result = await this.deps.http.post({
      url: action.url,
      body,
      timeoutMs: action.timeoutMs ?? this.deps.defaultTimeoutMs,
      headers: {
        'idempotency-key': job.actionId,
        'x-attune-timestamp': String(timestamp),
        'x-attune-signature': webhookSignature(webhookSecret, timestamp, body),
      },
    });
    return result.ok ? { ok: true } : { ok: false, retryable: true, error: result.error };
  }

  private trigger(job: ActionJob): Promise<TriggerEvent | null> {
    const offset = job.run.triggerOffset;
    return offset === null ? Promise.resolve(null) : this.deps.triggerEvent(offset);
  }
}

const journeyRef = (job: ActionJob) => ({
  id: job.journey.id,
  version: job.journey.version,
  name: job.journey.definition.name,
});

function identityOf(profile: ActionProfile): { userId: string } | { anonymousId: string } | null {
  const identifiers = profile.identifiers();
  const user = identifiers.find((i) => i.type === 'user_id');
  if (user !== undefined) return { userId: user.value };
  const anonymous = identifiers.find((i) => i.type === 'anonymous_id');
  return anonymous === undefined ? null : { anonymousId: anonymous.value };
}
