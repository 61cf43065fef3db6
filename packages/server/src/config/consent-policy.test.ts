import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TempDirs } from '../testing/temp-dirs.js';
import { ConfigError, loadConfig } from './config.js';
import { consentPolicyOf } from './consent-policy.js';

const dirs = new TempDirs();
const dir = dirs.make('attune-consent-config-');
afterAll(() => dirs.removeAll());

describe('consent configuration', () => {
  it('defaults to the built-in policy and to dropping events without analytics consent', () => {
    const config = loadConfig({ env: {} });
    expect(config.consent.withoutAnalytics).toBe('drop');
    expect(consentPolicyOf(config).purposes['advertising']).toBe('opt_out');
  });

  it('refuses an unknown ATTUNE_CONSENT_WITHOUT_ANALYTICS', () => {
    expect(() => loadConfig({ env: { ATTUNE_CONSENT_WITHOUT_ANALYTICS: 'hash' } })).toThrow(
      ConfigError,
    );
  });

  it('reads a policy file and lists its problems', () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ purposes: { analytics: 'opt_in' } }));
    const config = loadConfig({ env: { ATTUNE_CONSENT_POLICY: good } });
    expect(consentPolicyOf(config).purposes['analytics']).toBe('opt_in');

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ purposes: { analytics: 'maybe' } }));
    expect(() => consentPolicyOf(loadConfig({ env: { ATTUNE_CONSENT_POLICY: bad } }))).toThrow(
      /ATTUNE_CONSENT_POLICY .*bad\.json: purposes\.analytics: opt_in or opt_out expected/,
    );
    const missing = loadConfig({ env: { ATTUNE_CONSENT_POLICY: join(dir, 'none.json') } });
    expect(() => consentPolicyOf(missing)).toThrow(/cannot read/);
  });
});
