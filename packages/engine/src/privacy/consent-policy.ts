/**
 * Consent purposes and what holds when a person has made no choice: a default per purpose
 * (`opt_out`: allowed until refused; `opt_in`: refused until allowed), overridden by region
 * (country code lists), the purposes a Global Privacy Control signal refuses, and how IAB
 * TCF v2 purposes map onto ours.
 */

export type ConsentDefault = 'opt_in' | 'opt_out';

export interface ConsentRegion {
  name: string;
  /** ISO 3166-1 alpha-2, upper case. */
  countries: string[];
  /** Purposes whose default differs in this region. */
  defaults: Record<string, ConsentDefault>;
}

export interface ConsentPolicy {
  /** Every known purpose with its global default. */
  purposes: Record<string, ConsentDefault>;
  /** The first region listing a country applies. */
  regions: ConsentRegion[];
  /** Purposes refused by `Sec-GPC: 1` / `context.gpc` (advertising, sale or sharing). */
  gpcDenies: string[];
  /** Our purpose → the TCF purposes that must all be permitted for it. */
  tcfPurposes: Record<string, number[]>;
}

/** The EEA, the UK and Switzerland: where ePrivacy/GDPR-style prior consent is the norm. */
export const eeaUkCh = [
  ...['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE'],
  ...['IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE'],
  ...['IS', 'LI', 'NO', 'GB', 'CH'],
];

export const defaultConsentPolicy: ConsentPolicy = {
  purposes: {
    analytics: 'opt_out',
    personalization: 'opt_out',
    marketing_email: 'opt_in',
    marketing_sms: 'opt_in',
    advertising: 'opt_out',
  },
  regions: [
    {
      name: 'eea_uk_ch',
      countries: eeaUkCh,
      defaults: {
        personalization: 'opt_in',
        marketing_email: 'opt_in',
        marketing_sms: 'opt_in',
        advertising: 'opt_in',
      },
    },
  ],
  gpcDenies: ['advertising'],
  // TCF purposes: 1 store/access on a device, 3/4 ad profile/select ads, 5/6 content
  // profile/select content, 7 measure ads, 8 measure content, 9 audience statistics.
  tcfPurposes: {
    analytics: [1, 7, 8, 9],
    advertising: [1, 3, 4],
    personalization: [1, 5, 6],
  },
};

/** The country code of a context value, or null (only ISO alpha-2 codes are understood). */
export function countryCodeOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const code = value.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(code) ? code : null;
}

export function regionOf(policy: ConsentPolicy, country: string | null): ConsentRegion | null {
  if (country === null) return null;
  return policy.regions.find((region) => region.countries.includes(country)) ?? null;
}

/** Whether a purpose is allowed when nobody chose: the region's default, else the global one. */
export function defaultGranted(
  policy: ConsentPolicy,
  purpose: string,
  country: string | null,
): boolean {
  const regional = regionOf(policy, country)?.defaults[purpose];
  return (regional ?? policy.purposes[purpose] ?? 'opt_in') === 'opt_out';
}

export type PolicyParse = { ok: true; policy: ConsentPolicy } | { ok: false; problems: string[] };

/**
 * A policy file: `{purposes?, regions?, gpcDenies?, tcfPurposes?}`. Given parts replace the
 * built-in ones (purposes merge by name, so adding one keeps the defaults of the others).
 */
export function parseConsentPolicy(input: unknown): PolicyParse {
  const problems: string[] = [];
  if (!isObject(input)) return { ok: false, problems: ['the policy must be a JSON object'] };
  for (const key of Object.keys(input)) {
    if (!['purposes', 'regions', 'gpcDenies', 'tcfPurposes'].includes(key))
      problems.push(`unknown setting ${key}`);
  }
  const purposes = { ...defaultConsentPolicy.purposes };
  if (input['purposes'] !== undefined) {
    if (!isObject(input['purposes'])) problems.push('purposes must map names to opt_in/opt_out');
    else {
      for (const [name, value] of Object.entries(input['purposes'])) {
        if (!/^[a-z][a-z0-9_]{0,63}$/.test(name))
          problems.push(`purposes.${name}: a name is lower case letters, digits and _`);
        else if (value === null) delete purposes[name];
        else if (value !== 'opt_in' && value !== 'opt_out')
          problems.push(`purposes.${name}: opt_in or opt_out expected, or null to remove it`);
        else purposes[name] = value;
      }
    }
  }
  const known = (what: string, name: string) => {
    if (!Object.hasOwn(purposes, name)) problems.push(`${what}: unknown purpose ${name}`);
  };
  const regions = parseRegions(input['regions'], problems, known);
  let gpcDenies = defaultConsentPolicy.gpcDenies.filter((p) => Object.hasOwn(purposes, p));
  if (input['gpcDenies'] !== undefined) {
    const list = input['gpcDenies'];
    if (!Array.isArray(list) || !list.every((p) => typeof p === 'string'))
      problems.push('gpcDenies must be an array of purposes');
    else {
      list.forEach((p, i) => known(`gpcDenies[${i}]`, p));
      gpcDenies = list;
    }
  }
  let tcfPurposes = Object.fromEntries(
    Object.entries(defaultConsentPolicy.tcfPurposes).filter(([p]) => Object.hasOwn(purposes, p)),
  );
  if (input['tcfPurposes'] !== undefined) {
    const map = input['tcfPurposes'];
    if (!isObject(map)) problems.push('tcfPurposes must map purposes to TCF purpose ids');
    else {
      tcfPurposes = {};
      for (const [name, ids] of Object.entries(map)) {
        known(`tcfPurposes.${name}`, name);
        if (
          !Array.isArray(ids) ||
          ids.length === 0 ||
          !ids.every((id) => Number.isInteger(id) && id >= 1 && id <= 24)
        )
          problems.push(`tcfPurposes.${name}: a non-empty array of TCF purpose ids (1-24)`);
        else tcfPurposes[name] = ids as number[];
      }
    }
  }
  if (!Object.hasOwn(purposes, 'analytics'))
    problems.push('purposes: analytics is required (the ingest gate decides on it)');
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, policy: { purposes, regions, gpcDenies, tcfPurposes } };
}

function parseRegions(
  input: unknown,
  problems: string[],
  known: (what: string, name: string) => void,
): ConsentRegion[] {
  if (input === undefined) return defaultConsentPolicy.regions;
  if (!Array.isArray(input)) {
    problems.push('regions must be an array of {name, countries, defaults}');
    return [];
  }
  const regions: ConsentRegion[] = [];
  input.forEach((region: unknown, i) => {
    const at = `regions[${i}]`;
    if (!isObject(region)) return void problems.push(`${at} must be an object`);
    const { name, countries, defaults } = region;
    if (typeof name !== 'string' || name === '') problems.push(`${at}.name must be a string`);
    if (!Array.isArray(countries) || countries.some((c) => countryCodeOf(c) !== c))
      problems.push(`${at}.countries must be upper-case ISO 3166-1 alpha-2 codes`);
    if (!isObject(defaults)) return void problems.push(`${at}.defaults must be an object`);
    for (const [purpose, value] of Object.entries(defaults)) {
      known(`${at}.defaults`, purpose);
      if (value !== 'opt_in' && value !== 'opt_out')
        problems.push(`${at}.defaults.${purpose}: opt_in or opt_out expected`);
    }
    regions.push({
      name: String(name),
      countries: Array.isArray(countries) ? (countries as string[]) : [],
      defaults: defaults as Record<string, ConsentDefault>,
    });
  });
  return regions;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
