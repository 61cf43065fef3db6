import { timingSafeEqual } from 'node:crypto';

/**
 * Signed unsubscribe tokens: `<profile>.<purpose>.<mac>`, the mac a keyed hash (the
 * keyring's pseudonym function) of the rest, so a link cannot be forged for someone else.
 */
export class UnsubscribeLinks {
  constructor(
    private readonly baseUrl: string,
    private readonly mac: (text: string) => string,
  ) {}

  url(profileId: string, purpose: string): string {
    return `${this.baseUrl.replace(/\/+$/, '')}/v1/journeys/unsubscribe?token=${encodeURIComponent(this.token(profileId, purpose))}`;
  }

  token(profileId: string, purpose: string): string {
    const body = `${encode(profileId)}.${encode(purpose)}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The profile and purpose of a genuine token, or null. */
  verify(token: string): { profileId: string; purpose: string } | null {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [profile, purpose, mac] = parts as [string, string, string];
    const expected = Buffer.from(this.mac(`${profile}.${purpose}`));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    return { profileId: decode(profile), purpose: decode(purpose) };
  }
}

const encode = (text: string) => Buffer.from(text).toString('base64url');
const decode = (text: string) => Buffer.from(text, 'base64url').toString();
