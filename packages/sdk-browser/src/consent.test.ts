import { describe, expect, it } from 'vitest';
import { ConsentStore, consentKey } from './consent.js';
import { TestEnv } from './env.fixture.js';

describe('ConsentStore', () => {
  it('keeps choices, merging later ones in, and puts them in the context', () => {
    const env = new TestEnv();
    const consent = new ConsentStore(env);
    expect(consent.get()).toBeNull();
    expect(consent.context()).toEqual({});
    consent.set({ analytics: true, advertising: false });
    expect(consent.set({ advertising: true, marketing_email: false })).toEqual({
      analytics: true,
      advertising: true,
      marketing_email: false,
    });
    expect(JSON.parse(env.storage.get(consentKey)!)).toEqual({
      purposes: { analytics: true, advertising: true, marketing_email: false },
    });
    expect(new ConsentStore(env).context()).toEqual({
      consent: {
        categoryPreferences: { analytics: true, advertising: true, marketing_email: false },
      },
    });
  });

  it('adds gpc: true when the browser sends Global Privacy Control', () => {
    const env = new TestEnv();
    env.gpc = true;
    expect(new ConsentStore(env).context()).toEqual({ gpc: true });
  });

  it('ignores a stored value it cannot read', () => {
    const env = new TestEnv();
    env.storage.set(consentKey, '"yes"');
    expect(new ConsentStore(env).get()).toBeNull();
  });
});
