import { describe, expect, it } from 'vitest';
import {
  campaignFrom,
  decideContext,
  deviceType,
  mergeContext,
  messageContext,
} from './context.js';
import { TestEnv } from './env.fixture.js';
import { version } from './version.js';

describe('context', () => {
  it('reads the campaign from utm_* parameters', () => {
    expect(
      campaignFrom(
        '?utm_campaign=winter&utm_source=news&utm_medium=email&utm_term=tents&utm_content=a&x=1',
      ),
    ).toEqual({ name: 'winter', source: 'news', medium: 'email', term: 'tents', content: 'a' });
    expect(campaignFrom('?q=tents')).toBeUndefined();
    expect(campaignFrom('')).toBeUndefined();
  });

  it('classifies devices from the user agent', () => {
    const iphone =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148';
    const pixel = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/120.0 Mobile Safari/537.36';
    const ipad = 'Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15';
    const galaxyTab = 'Mozilla/5.0 (Linux; Android 13; SM-X700) Chrome/120.0 Safari/537.36';
    const desktop = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36';
    expect([iphone, pixel, ipad, galaxyTab, desktop].map(deviceType)).toEqual([
      'mobile',
      'mobile',
      'tablet',
      'tablet',
      'desktop',
    ]);
  });

  it('builds the Segment message context', () => {
    const env = new TestEnv();
    expect(messageContext(env)).toEqual({
      library: { name: 'attune-sdk-browser', version },
      page: env.currentPage,
      userAgent: env.userAgent,
      locale: 'de-DE',
      timezone: 'Europe/Berlin',
      campaign: { name: 'winter', source: 'news' },
    });
  });

  it('builds the decide context within the lengths the API accepts', () => {
    const env = new TestEnv();
    env.currentPage = { ...env.currentPage, title: 't'.repeat(900), url: 'u'.repeat(3000) };
    const context = decideContext(env) as {
      page: { title: string; url: string };
      device: unknown;
      campaign: unknown;
      locale: unknown;
    };
    expect(context.page.title).toHaveLength(500);
    expect(context.page.url).toHaveLength(2000);
    expect(context.device).toEqual({ type: 'desktop' });
    expect(context.campaign).toEqual({ name: 'winter', source: 'news' });
    expect(context.locale).toBe('de-DE');
  });

  it('merges the caller context one level deep', () => {
    expect(
      mergeContext(
        { page: { path: '/a', title: 'A' }, locale: 'de', library: { name: 'x' } },
        { page: { title: 'B' }, locale: 'fr', ip: '1.2.3.4' },
      ),
    ).toEqual({
      page: { path: '/a', title: 'B' },
      locale: 'fr',
      library: { name: 'x' },
      ip: '1.2.3.4',
    });
  });
});
