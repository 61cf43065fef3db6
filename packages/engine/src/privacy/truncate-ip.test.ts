import { describe, expect, it } from 'vitest';
import { truncateIp } from './truncate-ip.js';

describe('truncateIp', () => {
  it('keeps the /24 of an IPv4 address', () => {
    expect(truncateIp('203.0.113.77')).toBe('203.0.113.0');
    expect(truncateIp('::ffff:203.0.113.77')).toBe('::ffff:203.0.113.0');
  });

  it('keeps the /48 of an IPv6 address', () => {
    expect(truncateIp('2001:db8:85a3::8a2e:370:7334')).toBe('2001:db8:85a3::');
    expect(truncateIp('2001:0db8:0000:0042:0000:8a2e:0370:7334')).toBe('2001:db8:0::');
    expect(truncateIp('fe80::1%eth0')).toBe('fe80:0:0::');
  });

  it('leaves anything else alone', () => {
    expect(truncateIp('not an ip')).toBe('not an ip');
    expect(truncateIp('300.1.2.3')).toBe('300.1.2.3');
    expect(truncateIp('1:2:3')).toBe('1:2:3');
  });
});
