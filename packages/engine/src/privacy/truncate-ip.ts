/**
 * An IP address with its host part zeroed: IPv4 to its /24 (`203.0.113.77` → `203.0.113.0`),
 * IPv6 to its /48 (`2001:db8:85a3::8a2e:370:7334` → `2001:db8:85a3::`); IPv4-mapped IPv6 as
 * IPv4. Enough for coarse geolocation, no longer a single household. Anything that is not
 * an IP address comes back unchanged.
 */
export function truncateIp(ip: string): string {
  const text = ip.trim();
  const v4 = truncateV4(text);
  if (v4 !== null) return v4;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped !== null) {
    const inner = truncateV4(mapped[1] as string);
    return inner === null ? ip : `::ffff:${inner}`;
  }
  const groups = expandV6(text);
  if (groups === null) return ip;
  return `${groups
    .slice(0, 3)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::`;
}

function truncateV4(text: string): string | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
  }
  return `${parts[0]}.${parts[1]}.${parts[2]}.0`;
}

/** The eight hextets of an IPv6 address (zone id dropped), or null. */
function expandV6(text: string): string[] | null {
  const address = text.split('%')[0] as string;
  if (!/^[0-9a-f:]+$/i.test(address) || address.split('::').length > 2) return null;
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  return groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g)) ? groups : null;
}
