/** Identifier types Attune knows; `context.externalIds[]` may add any other type. */
export const coreIdentifierTypes = ['user_id', 'email', 'phone', 'anonymous_id'] as const;

export interface Identifier {
  type: string;
  value: string;
}

export interface IdentityRules {
  /** Values never used as identifiers, compared case-insensitively after trimming. */
  blockedValues: string[];
  /** Most identifiers of a type one profile may hold; types not listed are unlimited. */
  limits: Record<string, number>;
  /** Region for phone numbers written without a country code (ISO 3166 alpha-2). */
  defaultPhoneRegion: string;
  /**
   * Which identifier decides an event's profile when its identifiers disagree, strongest
   * first. Types not listed come after these, before anonymous_id.
   */
  priority: string[];
}

export const defaultIdentityRules: IdentityRules = {
  blockedValues: [
    '',
    'anonymous',
    'anon',
    'null',
    'undefined',
    'none',
    'nil',
    'nan',
    '0',
    '-1',
    'unknown',
    'n/a',
    'na',
    'test',
    '[object object]',
    'guest',
    'user',
    '00000000-0000-0000-0000-000000000000',
  ],
  limits: { user_id: 1, email: 5, phone: 5, anonymous_id: 100 },
  defaultPhoneRegion: 'US',
  priority: ['user_id', 'email', 'phone'],
};

export function identifierKey(identifier: Identifier): string {
  return `${identifier.type}:${identifier.value}`;
}

/** Rank for choosing the deciding identifier: lower wins. */
export function identifierRank(type: string, rules: IdentityRules): number {
  const index = rules.priority.indexOf(type);
  if (index >= 0) return index;
  return type === 'anonymous_id' ? rules.priority.length + 1 : rules.priority.length;
}
