import { defaultIdentityRules, type IdentityRules } from '@attune/engine';
import { readFileSync } from 'node:fs';
import type { Config } from './config.js';
import { ConfigError } from './config.js';

/**
 * The identity rules in force: the defaults, the phone region from config, and whatever a
 * rules file overrides (`blockedValues`, `limits`, `priority`). A bad file stops the start.
 */
export function identityRulesOf(config: Pick<Config, 'identity'>): IdentityRules {
  const rules: IdentityRules = {
    ...defaultIdentityRules,
    defaultPhoneRegion: config.identity.phoneRegion,
  };
  const file = config.identity.rulesFile;
  if (file === undefined) return rules;
  let overrides: unknown;
  try {
    overrides = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([
      `ATTUNE_IDENTITY_RULES: cannot read ${file}: ${(error as Error).message}`,
    ]);
  }
  const problems: string[] = [];
  const o = (typeof overrides === 'object' && overrides !== null ? overrides : {}) as Record<
    string,
    unknown
  >;
  if (o['blockedValues'] !== undefined) {
    if (
      Array.isArray(o['blockedValues']) &&
      o['blockedValues'].every((v) => typeof v === 'string')
    ) {
      rules.blockedValues = o['blockedValues'].map((v) => v.trim().toLowerCase());
    } else problems.push(`${file}: blockedValues must be an array of strings`);
  }
  if (o['limits'] !== undefined) {
    const limits = o['limits'] as Record<string, unknown>;
    if (
      typeof limits === 'object' &&
      limits !== null &&
      Object.values(limits).every((n) => Number.isInteger(n) && (n as number) >= 1)
    ) {
      rules.limits = { ...rules.limits, ...(limits as Record<string, number>) };
    } else problems.push(`${file}: limits must map identifier types to integers >= 1`);
  }
  if (o['priority'] !== undefined) {
    if (Array.isArray(o['priority']) && o['priority'].every((v) => typeof v === 'string'))
      rules.priority = o['priority'];
    else problems.push(`${file}: priority must be an array of identifier types`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return rules;
}
