import { extractIdentifiers, type IdentityRules } from '@attune/engine';
import type { Clock } from '../../platform/clock.js';
import type { MessageStep } from '../ingestion/ingestion.service.js';
import { drop, ok } from '../ingestion/steps/step-outcome.js';
import type { SuppressionList } from './suppression-list.js';

export const suppressedReason = 'suppressed';
export const consentUpdatedEvent = 'Consent Updated';

export interface SuppressionStepDeps {
  list: SuppressionList;
  pseudonym: (type: string, value: string) => string;
  rules: IdentityRules;
  clock: Clock;
}

/**
 * Drops events that carry an erased person's identifier (reason `suppressed`), so the
 * erasure is not undone by the next event from their browser. A message that re-consents
 * to analytics is the person choosing to be tracked again: it lifts the suppression of its
 * identifiers (recorded with the time) and is stored.
 */
export function suppressionStep({
  list,
  pseudonym,
  rules,
  clock,
}: SuppressionStepDeps): MessageStep {
  return (pending) => {
    // Nearly always empty: no parsing or hashing on the hot path then.
    if (list.size === 0) return ok(pending);
    const { identifiers, previousId } = extractIdentifiers(pending.message, rules);
    const candidates = identifiers.map((i) => pseudonym(i.type, i.value));
    if (previousId !== null)
      candidates.push(pseudonym('user_id', previousId), pseudonym('anonymous_id', previousId));
    const suppressed = candidates.filter((p) => list.has(p));
    if (suppressed.length === 0) return ok(pending);
    if (!reconsents(pending.message)) return drop(suppressedReason);
    const now = clock.now();
    for (const p of suppressed) list.lift(p, now);
    return ok(pending);
  };
}

/**
 * Consent to analytics given in the message: Segment's consent context
 * (`context.consent.categoryPreferences.analytics: true`) or a `Consent Updated` track event
 * granting it in `properties.categoryPreferences`.
 */
export function reconsents(message: Record<string, unknown>): boolean {
  const context = objectAt(message, 'context');
  if (objectAt(objectAt(context, 'consent'), 'categoryPreferences')?.['analytics'] === true)
    return true;
  if (message['type'] !== 'track' || message['event'] !== consentUpdatedEvent) return false;
  return objectAt(objectAt(message, 'properties'), 'categoryPreferences')?.['analytics'] === true;
}

function objectAt(
  parent: Record<string, unknown> | undefined,
  key: string,
): Record<string, unknown> | undefined {
  const value = parent?.[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
