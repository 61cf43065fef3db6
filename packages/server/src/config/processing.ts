import type { ComputedTraitDefinition, IdentityRules } from '@attune/engine';
import { computedTraitsOf } from './computed-traits.js';
import type { Config } from './config.js';
import { identityRulesOf } from './identity-rules.js';
import type { PiiOptions } from '../modules/privacy/pii-cipher.js';

/** What the processor's steps need from config; plain data, so it crosses to its thread. */
export interface ProcessingSettings {
  identityRules: IdentityRules;
  computedTraits: ComputedTraitDefinition[];
  cachedProfiles: number;
  /** What is PII (besides the defaults) and how IPs are stored. */
  pii: PiiOptions;
}

export function processingOf(
  config: Pick<Config, 'identity' | 'profiles' | 'processor' | 'privacy'>,
): ProcessingSettings {
  return {
    identityRules: identityRulesOf(config),
    computedTraits: computedTraitsOf(config),
    cachedProfiles: config.processor.cachedProfiles,
    pii: { piiPaths: config.privacy.piiPaths, truncateIp: config.privacy.truncateIp },
  };
}
