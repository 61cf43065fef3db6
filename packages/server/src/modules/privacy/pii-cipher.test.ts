import { describe, expect, it } from 'vitest';
import { testCipher, testKeyring } from '../../testing/test-cipher.js';
import { PiiCipher } from './pii-cipher.js';

const message = {
  type: 'identify',
  messageId: 'm1',
  traits: { email: 'ann@example.com', age: 41, address: { street: 'Main St 1', zip: 12345 } },
  context: { ip: '203.0.113.77', traits: { phone: '+14155550100' } },
  properties: { note: 'enc:v1:k1:notours', vip: true },
  anonymousId: 'anon-1',
  userId: 42,
};

describe('PiiCipher', () => {
  it('stores PII leaves and ids encrypted, ids first, and opens them back with their types', () => {
    const cipher = testCipher();
    const stored = JSON.stringify(cipher.protectMessage(message));
    for (const plain of [
      'ann@example.com',
      'Main St 1',
      '12345',
      '203.0.113.77',
      '4155550100',
      'anon-1',
    ])
      expect(stored).not.toContain(plain);
    expect(stored.startsWith('{"userId":"enc:v1:k1:')).toBe(true);
    const opened = cipher.openText(stored);
    expect(JSON.parse(opened.text)).toEqual(message);
    expect(opened).toMatchObject({ userId: '42', anonymousId: 'anon-1' });
  });

  it('reuses the ciphertext of a repeated id, IP or email, never of a name', () => {
    const cipher = testCipher();
    const person = (n: number) => ({
      type: 'identify',
      userId: 'u-1',
      traits: { email: 'ann@example.com', name: 'Ann Lee', n },
      context: { ip: '203.0.113.77' },
    });
    const [first, second] = [person(1), person(2)].map((m) => cipher.protectMessage(m));
    const at = (m: Record<string, unknown>, key: string) =>
      key === 'ip'
        ? (m['context'] as Record<string, unknown>)['ip']
        : key === 'userId'
          ? m['userId']
          : (m['traits'] as Record<string, unknown>)[key];
    for (const key of ['userId', 'ip', 'email']) expect(at(first!, key)).toBe(at(second!, key));
    expect(at(first!, 'name')).not.toBe(at(second!, 'name'));
    const opened = cipher.openText(JSON.stringify({ list: [at(first!, 'name'), 'x'], m: first }));
    expect(JSON.parse(opened.text)).toEqual({ list: ['Ann Lee', 'x'], m: person(1) });
  });

  it('leaves text without ciphertexts, and strings that only look like one, alone', () => {
    const cipher = testCipher();
    const text = JSON.stringify({ a: 'enc:v1:k1:abc', 'enc:v1:k1:abc': 1, b: 'x "enc:v1:k1:abc"' });
    expect(cipher.openText(text).text).toBe(text);
    expect(cipher.openText('{"type":"track"}')).toEqual({ text: '{"type":"track"}' });
  });

  it('encrypts a PII value that only looks like a ciphertext', () => {
    const cipher = testCipher();
    const forged = { type: 'identify', userId: 'enc:v1:k1:x', traits: { email: 'enc:v1:k1:AAAA' } };
    const stored = JSON.stringify(cipher.protectMessage(forged));
    expect(stored).not.toContain('AAAA');
    expect(JSON.parse(cipher.openText(stored).text)).toEqual(forged);
  });

  it('refuses to read ids encrypted with a key the keyring lacks', () => {
    const stored = JSON.stringify(new PiiCipher(testKeyring(['k9'])).protectMessage(message));
    expect(() => testCipher().openText(stored)).toThrow(/not configured \(enc:v1:k9\)/);
  });

  it('truncates the IP before encrypting when configured', () => {
    const cipher = testCipher({ truncateIp: true });
    const stored = cipher.protectMessage({ type: 'track', context: { ip: '203.0.113.77' } });
    expect(cipher.decryptLeaf((stored['context'] as { ip: string }).ip)).toBe('203.0.113.0');
  });

  it('encrypts configured paths and keys too', () => {
    const cipher = testCipher({ piiPaths: ['traits.ssn', 'iban'] });
    const stored = JSON.stringify(
      cipher.protectMessage({
        traits: { ssn: '123-45-6789' },
        properties: { pay: { iban: 'DE89' } },
      }),
    );
    expect(stored).not.toContain('123-45-6789');
    expect(stored).not.toContain('DE89');
  });

  it('does not encrypt what is already encrypted with the newest key, and re-encrypts older', () => {
    const old = new PiiCipher(testKeyring(['k1']));
    const stored = old.protectMessage(message);
    const rotated = new PiiCipher(testKeyring(['k1', 'k2']));
    const again = rotated.protectMessage(stored);
    const ours = /enc:v1:k1:(?!notours)/;
    expect(JSON.stringify(again)).not.toMatch(ours);
    expect(rotated.protectMessage(again)).toBe(again);
    const text = rotated.reencryptText(JSON.stringify(stored));
    expect(text).not.toBeNull();
    expect(text).not.toMatch(ours);
    const onlyNew = new PiiCipher(testKeyring(['k2']));
    expect(JSON.parse(onlyNew.openText(text as string).text)).toEqual(message);
    expect(rotated.reencryptText(text as string)).toBeNull();
  });

  it('gives an identifier the same pseudonym every time, different per type', () => {
    const cipher = testCipher();
    expect(cipher.idColumn('user_id', ' ann ')).toBe(cipher.pseudonym('user_id', 'ann'));
    expect(cipher.pseudonym('email', 'a@x.io')).toBe(testCipher().pseudonym('email', 'a@x.io'));
    expect(cipher.pseudonym('email', 'a@x.io')).not.toBe(cipher.pseudonym('user_id', 'a@x.io'));
  });
});
