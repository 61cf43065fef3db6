import { defaultIdentityRules } from '@attune/engine';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp } from '../testing/test-app.fixture.js';
import { ConfigError, loadConfig } from './config.js';
import { identityRulesOf } from './identity-rules.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'attune-rules-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (content: unknown): string => {
  const file = join(dir, 'rules.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};

describe('identity rules from config', () => {
  it('uses the defaults and the configured phone region', () => {
    const rules = identityRulesOf(loadConfig({ env: { ATTUNE_PHONE_REGION: 'GB' } }));
    expect(rules).toEqual({ ...defaultIdentityRules, defaultPhoneRegion: 'GB' });
  });

  it('lets a rules file override blocked values, limits and priority', () => {
    const file = write({
      blockedValues: ['Guest-42'],
      limits: { email: 2 },
      priority: ['email', 'user_id'],
    });
    const rules = identityRulesOf(loadConfig({ env: { ATTUNE_IDENTITY_RULES: file } }));
    expect(rules.blockedValues).toEqual(['guest-42']);
    expect(rules.limits).toEqual({ ...defaultIdentityRules.limits, email: 2 });
    expect(rules.priority).toEqual(['email', 'user_id']);
  });

  it.each([
    ['{not json', /cannot read/],
    [{ limits: { email: 0 } }, /limits/],
    [{ blockedValues: 'x' }, /blockedValues/],
  ])('refuses a bad rules file %j', (content, message) => {
    const file = write(content);
    expect(() => identityRulesOf(loadConfig({ env: { ATTUNE_IDENTITY_RULES: file } }))).toThrow(
      ConfigError,
    );
    expect(() => identityRulesOf(loadConfig({ env: { ATTUNE_IDENTITY_RULES: file } }))).toThrow(
      message,
    );
  });

  it('refuses a phone region that is not a country code', () => {
    expect(() => loadConfig({ env: { ATTUNE_PHONE_REGION: 'usa' } })).toThrow(/phoneRegion/);
  });

  it('applies the rules in the processor: a custom junk value links nothing', async () => {
    const t = await startTestApp({
      ATTUNE_IDENTITY_RULES: write({ blockedValues: ['shared-login'] }),
    });
    try {
      const batch = [
        { type: 'identify', userId: 'shared-login', anonymousId: 'a1' },
        { type: 'identify', userId: 'shared-login', anonymousId: 'a2' },
      ];
      await t.app.http.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { authorization: t.basicAuth },
        payload: { batch },
      });
      await t.app.processor!.caughtUp(2);
      const res = await t.app.http.inject({
        method: 'GET',
        url: '/v1/profiles/anonymous_id:a2',
        headers: { authorization: t.bearerAdmin },
      });
      expect(res.json<{ id: string; identifiers: unknown[] }>()).toMatchObject({
        id: 'p_2',
        identifiers: [{ type: 'anonymous_id', value: 'a2' }],
      });
    } finally {
      await t.close();
    }
  });
});
