/**
 * Step 2a: where the client put its write key. Segment SDKs send HTTP Basic auth with the
 * key as user name and an empty password; analytics.js puts `writeKey` in the body instead.
 * The Authorization header wins when both are present.
 */
export function extractWriteKey(
  authorization: string | undefined,
  body: unknown,
): string | undefined {
  if (authorization !== undefined) {
    const fromHeader = keyFromAuthorization(authorization);
    if (fromHeader !== undefined) return fromHeader;
  }
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const value = (body as Record<string, unknown>)['writeKey'];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

/** Reads `Basic base64(key:password)` or `Bearer key`. */
export function keyFromAuthorization(header: string): string | undefined {
  const space = header.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  const credentials = header.slice(space + 1).trim();
  if (scheme === 'bearer') return credentials.length > 0 ? credentials : undefined;
  if (scheme !== 'basic') return undefined;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  return user.length > 0 ? user : undefined;
}
