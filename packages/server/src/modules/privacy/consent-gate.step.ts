import {
  countryCodeOf,
  defaultGranted,
  mayCarryConsent,
  mergeSignals,
  messageConsentOf,
  type ConsentSignal,
} from '@attune/engine';
import type { MessageStep, StepRequest } from '../ingestion/ingestion.service.js';
import { drop, ok } from '../ingestion/steps/step-outcome.js';
import type { Anonymizer } from './anonymize-message.js';
import type { ConsentService } from './consent.service.js';
import type { TcfDecoder } from './tcf.js';

export type WithoutAnalytics = 'drop' | 'anonymize';

export interface ConsentGateDeps {
  consent: ConsentService;
  tcf: TcfDecoder;
  withoutAnalytics: WithoutAnalytics;
  anonymize: Anonymizer;
}

type Json = Record<string, unknown>;

const liveRequest: StepRequest = { gpc: false, imported: false };

/**
 * The consent gate, before anything else looks at a message: records the consent it
 * carries (categoryPreferences, `Consent Updated`, GPC, a TCF string), then lets it through
 * only with analytics consent — the message's own, else the stored choice of its
 * userId/anonymousId, else the default of its country's region, else the global default.
 * Without it the message is dropped (`no_consent`) or anonymized. A `Consent Updated`
 * event that refuses analytics is recorded first, so the refusal itself is kept.
 */
export function consentGateStep(deps: ConsentGateDeps): MessageStep {
  const { consent, tcf } = deps;
  return (pending, _pointer, request = liveRequest) => {
    const { event, message } = pending;
    const country = countryOf(message);
    let analytics: boolean | undefined;
    let pseudonyms: string[] | undefined;
    if (mayCarryConsent(message, request.gpc)) {
      const signals = signalsOf(message, request);
      if (signals.length > 0) {
        pseudonyms = consent.pseudonymsOf(event);
        for (const signal of signals) consent.record(pseudonyms, signal, event.timestamp, country);
        analytics = mergeSignals(signals)['analytics'];
      }
    }
    // The common case costs two map lookups (pseudonyms are cached), or none at all while
    // nobody has made a choice yet.
    if (analytics === undefined && !consent.isEmpty) {
      const state = consent.explicitStateOf(pseudonyms ?? consent.pseudonymsOf(event));
      analytics = state?.purposes.get('analytics')?.granted;
    }
    analytics ??= defaultGranted(consent.policy, 'analytics', country);
    if (analytics) return ok(pending);
    if (deps.withoutAnalytics === 'drop') return drop('no_consent');
    const anonymized = deps.anonymize(pending);
    return anonymized === null ? drop('no_consent') : ok(anonymized);
  };

  function signalsOf(message: Json, request: StepRequest): ConsentSignal[] {
    const read = messageConsentOf(message, consent.policy, request.gpc);
    const signals = [...read.signals];
    if (read.tcString !== null) {
      const purposes = tcf.purposesOf(read.tcString);
      // Lowest precedence: an explicit categoryPreferences or GPC in the same message wins.
      if (purposes !== null) signals.unshift({ source: 'tcf', purposes });
    }
    if (!request.imported) return signals;
    return signals.map((signal) => ({ source: 'import', purposes: signal.purposes }));
  }
}

function countryOf(message: Json): string | null {
  const context = message['context'];
  if (typeof context !== 'object' || context === null) return null;
  const location = (context as Json)['location'];
  if (typeof location !== 'object' || location === null) return null;
  return countryCodeOf((location as Json)['country']);
}
