import { describe, expect, it } from 'vitest';
import { defaultConsentPolicy, defaultGranted, parseConsentPolicy } from './consent-policy.js';
import { mergeSignals, messageConsentOf, purposesFromTcf } from './consent-signals.js';
import {
  applyConsentChange,
  changedPurposes,
  combineConsentStates,
  emptyConsentState,
  resolvePurpose,
} from './consent-state.js';

const policy = defaultConsentPolicy;

describe('consent policy', () => {
  it('has opt-out analytics everywhere and opt-in personalization/advertising in the EEA, UK and CH', () => {
    expect(defaultGranted(policy, 'analytics', null)).toBe(true);
    expect(defaultGranted(policy, 'analytics', 'DE')).toBe(true);
    expect(defaultGranted(policy, 'advertising', 'US')).toBe(true);
    expect(defaultGranted(policy, 'advertising', 'GB')).toBe(false);
    expect(defaultGranted(policy, 'personalization', 'CH')).toBe(false);
    expect(defaultGranted(policy, 'marketing_email', 'US')).toBe(false);
    expect(defaultGranted(policy, 'unknown', 'US')).toBe(false);
  });

  it('parses a policy file, merging purposes with the defaults', () => {
    const parsed = parseConsentPolicy({
      purposes: { analytics: 'opt_in', sale_of_data: 'opt_out' },
      regions: [{ name: 'ca', countries: ['US'], defaults: { sale_of_data: 'opt_in' } }],
      gpcDenies: ['advertising', 'sale_of_data'],
    });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.policy.purposes['analytics']).toBe('opt_in');
    expect(parsed.policy.purposes['marketing_sms']).toBe('opt_in');
    expect(defaultGranted(parsed.policy, 'sale_of_data', 'US')).toBe(false);
    expect(parsed.policy.tcfPurposes['analytics']).toEqual([1, 7, 8, 9]);
  });

  it('lists every problem of a bad policy', () => {
    const parsed = parseConsentPolicy({
      purposes: { analytics: 'sometimes', 'Bad Name': 'opt_in' },
      regions: [{ name: 'x', countries: ['de'], defaults: { nope: 'opt_in' } }],
      gpcDenies: ['nope'],
      tcfPurposes: { analytics: [0] },
      extra: 1,
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual(
      expect.arrayContaining([
        'unknown setting extra',
        'purposes.analytics: opt_in or opt_out expected, or null to remove it',
        'regions[0].countries must be upper-case ISO 3166-1 alpha-2 codes',
        'regions[0].defaults: unknown purpose nope',
        'gpcDenies[0]: unknown purpose nope',
        'tcfPurposes.analytics: a non-empty array of TCF purpose ids (1-24)',
      ]),
    );
  });
});

describe('message consent', () => {
  it('reads categoryPreferences, a Consent Updated event, GPC and a TCF string; GPC wins', () => {
    const read = messageConsentOf(
      {
        type: 'track',
        event: 'Consent Updated',
        properties: { categoryPreferences: { marketing_email: true, vendorX: true } },
        context: {
          consent: { categoryPreferences: { analytics: true, advertising: true }, tcfString: 'CQ' },
          gpc: true,
        },
      },
      policy,
      false,
    );
    expect(read.tcString).toBe('CQ');
    expect(read.signals.map((s) => s.source)).toEqual(['context', 'event', 'gpc']);
    expect(mergeSignals(read.signals)).toEqual({
      analytics: true,
      advertising: false,
      marketing_email: true,
    });
  });

  it('maps TCF purposes: a purpose needs all of its TCF purposes', () => {
    const allowed = new Set([1, 3, 4, 5, 6]);
    expect(purposesFromTcf(policy, (id) => allowed.has(id))).toEqual({
      analytics: false,
      advertising: true,
      personalization: true,
    });
  });
});

describe('consent state', () => {
  it('keeps the latest choice per purpose, whatever the order changes arrive in', () => {
    const state = emptyConsentState();
    const base = { pseudonym: 'p', source: 'api' as const, country: null };
    applyConsentChange(state, { ...base, seq: 1, at: 200, purposes: { analytics: false } });
    applyConsentChange(state, { ...base, seq: 2, at: 100, purposes: { analytics: true } });
    expect(resolvePurpose(policy, state, 'analytics', null)).toMatchObject({
      granted: false,
      isDefault: false,
    });
    expect(changedPurposes(state, { analytics: false, advertising: true })).toEqual({
      advertising: true,
    });
    const other = emptyConsentState();
    applyConsentChange(other, { ...base, seq: 3, at: 300, country: 'FR', purposes: {} });
    const combined = combineConsentStates([state, other]);
    expect(resolvePurpose(policy, combined, 'advertising', null)).toMatchObject({
      granted: false,
      isDefault: true,
    });
  });
});
