import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UnsubscribeLinks } from './unsubscribe-links.js';

const mac = (key: string) => (text: string) =>
  createHmac('sha256', key).update(text).digest('base64url');

describe('unsubscribe links', () => {
  const links = new UnsubscribeLinks('https://shop.example.com/attune/', mac('k1'));

  it('round-trips the profile and purpose through the URL', () => {
    const url = new URL(links.url('p_123.4', 'marketing_email'));
    expect(url.origin + url.pathname).toBe(
      'https://shop.example.com/attune/v1/journeys/unsubscribe',
    );
    expect(links.verify(url.searchParams.get('token')!)).toEqual({
      profileId: 'p_123.4',
      purpose: 'marketing_email',
    });
  });

  it('refuses tokens that were altered or signed with another key', () => {
    const token = links.token('p_1', 'marketing_email');
    const [profile, purpose, signature] = token.split('.') as [string, string, string];
    const other = links.token('p_2', 'marketing_email').split('.')[0]!;
    expect(links.verify(`${other}.${purpose}.${signature}`)).toBeNull();
    expect(links.verify(`${profile}.${purpose}.${signature.slice(1)}`)).toBeNull();
    expect(links.verify(`${profile}.${purpose}`)).toBeNull();
    expect(new UnsubscribeLinks('https://x', mac('k2')).verify(token)).toBeNull();
  });
});
