import { describe, expect, it } from 'vitest';
import { cookieJar, cookieText } from './browser-env.js';

/**
 * document.cookie as a browser keeps it: one cookie per (name, domain), `max-age=0`
 * deletes, reads list host-only cookies first (so one would shadow a domain cookie).
 */
class FakeDocument {
  readonly cookies = new Map<string, { name: string; value: string; domain: string }>();
  readonly written: string[] = [];
  get cookie(): string {
    return [...this.cookies.values()]
      .sort((a, b) => a.domain.length - b.domain.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
  set cookie(text: string) {
    this.written.push(text);
    const [pair = '', ...attributes] = text.split('; ');
    const at = pair.indexOf('=');
    const name = pair.slice(0, at);
    const value = pair.slice(at + 1);
    const attribute = (key: string) =>
      attributes.find((a) => a.startsWith(`${key}=`))?.slice(key.length + 1);
    const domain = attribute('domain') ?? '';
    if (attribute('max-age') === '0') this.cookies.delete(`${name}|${domain}`);
    else this.cookies.set(`${name}|${domain}`, { name, value, domain });
  }
}

describe('cookies', () => {
  it('are host-only, path=/, a year, SameSite=Lax, and Secure on https', () => {
    expect(cookieText('ajs_user_id', 'ann b', 31_536_000, true)).toBe(
      'ajs_user_id=ann%20b; path=/; max-age=31536000; SameSite=Lax; Secure',
    );
    expect(cookieText('k', 'v', 0, false, 'example.com')).toBe(
      'k=v; path=/; max-age=0; SameSite=Lax; domain=example.com',
    );
  });

  it('move to the domain asked for, leaving no host-only cookie to shadow them', () => {
    const doc = new FakeDocument();
    const jar = cookieJar(doc, () => false);
    jar.set('ajs_anonymous_id', 'first');
    expect(doc.written[doc.written.length - 1]).not.toContain('domain=');
    jar.useDomain('example.com');
    jar.set('ajs_anonymous_id', 'second');
    expect([...doc.cookies.values()]).toEqual([
      { name: 'ajs_anonymous_id', value: 'second', domain: 'example.com' },
    ]);
    expect(jar.get('ajs_anonymous_id')).toBe('second');
    jar.remove('ajs_anonymous_id');
    expect(doc.cookies.size).toBe(0);
    expect(jar.get('ajs_anonymous_id')).toBeNull();
  });
});
