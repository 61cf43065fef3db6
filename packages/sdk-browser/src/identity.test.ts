import { beforeEach, describe, expect, it } from 'vitest';
import { TestEnv } from './env.fixture.js';
import { Identity, identityKeys } from './identity.js';

let env: TestEnv;
beforeEach(() => {
  env = new TestEnv();
});

describe('Identity', () => {
  it('creates an anonymous id once and keeps it in the cookie and localStorage', () => {
    const id = new Identity(env).anonymousId();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(env.cookies.get(identityKeys.anonymousId)).toBe(id);
    expect(env.storage.get(identityKeys.anonymousId)).toBe(id);
    // A new page (new instance) finds it.
    expect(new Identity(env).anonymousId()).toBe(id);
  });

  it('recognises the visitor from either store and repairs the other', () => {
    env.storage.set(identityKeys.anonymousId, 'from-storage');
    expect(new Identity(env).anonymousId()).toBe('from-storage');
    expect(env.cookies.get(identityKeys.anonymousId)).toBe('from-storage');

    env.storage.remove(identityKeys.anonymousId);
    expect(new Identity(env).anonymousId()).toBe('from-storage');
    expect(env.storage.get(identityKeys.anonymousId)).toBe('from-storage');
  });

  it('prefers the cookie when the two disagree', () => {
    env.cookies.set(identityKeys.anonymousId, 'cookie-id');
    env.storage.set(identityKeys.anonymousId, 'storage-id');
    expect(new Identity(env).anonymousId()).toBe('cookie-id');
    expect(env.storage.get(identityKeys.anonymousId)).toBe('cookie-id');
  });

  it('reads the JSON-quoted values analytics.js wrote', () => {
    env.storage.set(identityKeys.anonymousId, '"ajs-anon"');
    env.cookies.set(identityKeys.userId, '"ann"');
    const identity = new Identity(env);
    expect(identity.anonymousId()).toBe('ajs-anon');
    expect(identity.userId()).toBe('ann');
  });

  it('merges traits for the same user and starts afresh for another', () => {
    const identity = new Identity(env);
    expect(identity.userId()).toBeNull();
    identity.identify('ann', { plan: 'pro' });
    expect(identity.identify('ann', { email: 'ann@example.com' })).toEqual({
      plan: 'pro',
      email: 'ann@example.com',
    });
    expect(env.cookies.get(identityKeys.userId)).toBe('ann');
    expect(JSON.parse(env.storage.get(identityKeys.traits)!)).toEqual({
      plan: 'pro',
      email: 'ann@example.com',
    });
    expect(identity.identify('bob', { plan: 'free' })).toEqual({ plan: 'free' });
  });

  it('keeps the group like the user: in both stores, traits merged for the same group', () => {
    const identity = new Identity(env);
    expect(identity.groupId()).toBeNull();
    identity.group('acme', { name: 'Acme' });
    expect(identity.group('acme', { plan: 'enterprise' })).toEqual({
      name: 'Acme',
      plan: 'enterprise',
    });
    expect(env.cookies.get(identityKeys.groupId)).toBe('acme');
    expect(env.storage.get(identityKeys.groupId)).toBe('acme');
    // Another page load reads it back; another group starts from no traits.
    const later = new Identity(env);
    expect([later.groupId(), later.groupTraits()]).toEqual([
      'acme',
      { name: 'Acme', plan: 'enterprise' },
    ]);
    expect(later.group('globex', { size: 5 })).toEqual({ size: 5 });
  });

  it('reset forgets the user and traits and starts a new anonymous id', () => {
    const identity = new Identity(env);
    const before = identity.anonymousId();
    identity.identify('ann', { plan: 'pro' });
    identity.group('acme', { name: 'Acme' });
    identity.reset();
    expect(identity.userId()).toBeNull();
    expect(identity.traits()).toEqual({});
    expect([identity.groupId(), identity.groupTraits()]).toEqual([null, {}]);
    expect(identity.anonymousId()).not.toBe(before);
    expect(env.cookies.get(identityKeys.userId)).toBeNull();
    expect(env.storage.get(identityKeys.userId)).toBeNull();
  });

  it('treats unreadable traits as none', () => {
    env.storage.set(identityKeys.traits, '{not json');
    expect(new Identity(env).traits()).toEqual({});
  });
});
