import type { ComputedTraitDefinition, IdentityRules } from '@attune/engine';
import { computedTraitsOf } from './computed-traits.js';
import type { Config } from './config.js';
import { identityRulesOf } from './identity-rules.js';

/** What the processor's steps need from config; plain data, so it crosses to its thread. */
export interface ProcessingSettings {
  identityRules: IdentityRules;
  computedTraits: ComputedTraitDefinition[];
  cachedProfiles: number;
}

export function processingOf(
  config: Pick<Config, 'identity' | 'profiles' | 'processor'>,
): ProcessingSettings {
  return {
    identityRules: identityRulesOf(config),
    computedTraits: computedTraitsOf(config),
    cachedProfiles: config.processor.cachedProfiles,
  };
}
