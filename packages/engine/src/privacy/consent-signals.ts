import type { ConsentPolicy } from './consent-policy.js';

/** Where a consent change came from. */
export const consentSources = ['context', 'event', 'api', 'import', 'gpc', 'tcf'] as const;
export type ConsentSource = (typeof consentSources)[number];

/** Choices for some purposes, from one source. */
export interface ConsentSignal {
  source: ConsentSource;
  purposes: Record<string, boolean>;
}

/** What one message says about consent, before any TCF string is decoded. */
export interface MessageConsent {
  /** In order of precedence, lowest first: later signals override earlier ones. */
  signals: ConsentSignal[];
  /** A TCF v2 string to decode (the decoder lives with its library, in the server). */
  tcString: string | null;
}

/** The event name that carries a consent change in its properties (Segment's convention). */
export const consentUpdatedEvent = 'Consent Updated';

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;

/**
 * `{purpose: boolean}` for the known purposes of a categoryPreferences object. Unknown
 * names and non-boolean values are ignored: consent tools send their own categories, and a
 * message must not be refused for them.
 */
export function categoryPreferencesOf(
  value: unknown,
  policy: ConsentPolicy,
): Record<string, boolean> | null {
  const prefs = asObject(value);
  if (prefs === undefined) return null;
  let found: Record<string, boolean> | null = null;
  for (const key of Object.keys(prefs)) {
    const granted = prefs[key];
    if (typeof granted === 'boolean' && Object.hasOwn(policy.purposes, key))
      (found ??= {})[key] = granted;
  }
  return found;
}

/**
 * The consent a message carries: a TCF string (context.consent.tcfString,
 * context.gdpr_consent or context.tcString), context.consent.categoryPreferences, a
 * `Consent Updated` track's properties.categoryPreferences, and Global Privacy Control
 * (context.gpc === true or the request's `Sec-GPC: 1`), which comes last so it always wins.
 */
export function messageConsentOf(
  message: Json,
  policy: ConsentPolicy,
  gpcHeader: boolean,
): MessageConsent {
  const signals: ConsentSignal[] = [];
  const context = asObject(message['context']);
  const consent = asObject(context?.['consent']);
  const tcString =
    [consent?.['tcfString'], context?.['gdpr_consent'], context?.['tcString']].find(
      (value): value is string => typeof value === 'string' && value.trim() !== '',
    ) ?? null;
  const fromContext = categoryPreferencesOf(consent?.['categoryPreferences'], policy);
  if (fromContext !== null) signals.push({ source: 'context', purposes: fromContext });
  if (message['type'] === 'track' && message['event'] === consentUpdatedEvent) {
    const properties = asObject(message['properties']);
    const fromEvent = categoryPreferencesOf(properties?.['categoryPreferences'], policy);
    if (fromEvent !== null) signals.push({ source: 'event', purposes: fromEvent });
  }
  if ((gpcHeader || context?.['gpc'] === true) && policy.gpcDenies.length > 0) {
    const purposes: Record<string, boolean> = {};
    for (const purpose of policy.gpcDenies) purposes[purpose] = false;
    signals.push({ source: 'gpc', purposes });
  }
  return { signals, tcString: tcString === null ? null : tcString.trim() };
}

/** True when the message may carry consent: a cheap test before the full read. */
export function mayCarryConsent(message: Json, gpcHeader: boolean): boolean {
  if (gpcHeader) return true;
  if (message['type'] === 'track' && message['event'] === consentUpdatedEvent) return true;
  const context = asObject(message['context']);
  if (context === undefined) return false;
  return (
    context['consent'] !== undefined ||
    context['gpc'] !== undefined ||
    context['gdpr_consent'] !== undefined ||
    context['tcString'] !== undefined
  );
}

/**
 * Our purposes from a decoded TCF string: a purpose is granted when every TCF purpose it
 * maps to is permitted (`permitted(id)`: consent, or legitimate interest where TCF allows it).
 */
export function purposesFromTcf(
  policy: ConsentPolicy,
  permitted: (tcfPurpose: number) => boolean,
): Record<string, boolean> {
  const purposes: Record<string, boolean> = {};
  for (const [purpose, ids] of Object.entries(policy.tcfPurposes))
    purposes[purpose] = ids.every(permitted);
  return purposes;
}

/** The signals merged, later ones winning per purpose. */
export function mergeSignals(signals: readonly ConsentSignal[]): Record<string, boolean> {
  const merged: Record<string, boolean> = {};
  for (const signal of signals) Object.assign(merged, signal.purposes);
  return merged;
}

/**
 * Starts the random anonymousId of an event stored anonymized (no analytics consent): the
 * processor builds no profile from it, since each such id is used once.
 */
export const anonymizedIdPrefix = '~anonymized:';
