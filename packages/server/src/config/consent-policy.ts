import { defaultConsentPolicy, parseConsentPolicy, type ConsentPolicy } from '@attune/engine';
import { readFileSync } from 'node:fs';
import { ConfigError, type Config } from './config.js';

/** The consent policy in force: the built-in one, or the file's. A bad file stops the start. */
export function consentPolicyOf(config: Pick<Config, 'consent'>): ConsentPolicy {
  const file = config.consent.policyFile;
  if (file === undefined) return defaultConsentPolicy;
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([
      `ATTUNE_CONSENT_POLICY: cannot read ${file}: ${(error as Error).message}`,
    ]);
  }
  const parsed = parseConsentPolicy(input);
  if (!parsed.ok)
    throw new ConfigError(parsed.problems.map((p) => `ATTUNE_CONSENT_POLICY ${file}: ${p}`));
  return parsed.policy;
}
