import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TempDirs } from '../testing/temp-dirs.js';
import { loadConfig } from '../config/config.js';
import { generateKeyMaterial, isCiphertext, Keyring, KeyringError } from './keyring.js';
import { keyringFileName, resolveKeyring } from './keyring-source.js';

const dirs = new TempDirs();
afterAll(() => dirs.removeAll());

const k1 = generateKeyMaterial();
const k2 = generateKeyMaterial();
const pseudonymKey = generateKeyMaterial();

describe('Keyring', () => {
  it('round-trips text under the newest key and still reads older keys after rotation', () => {
    const old = Keyring.fromSecrets({ encryptionKeys: [{ id: 'k1', key: k1 }], pseudonymKey });
    const token = old.encrypt('ada@example.com');
    expect(isCiphertext(token)).toBe(true);
    expect(token).not.toContain('ada');
    expect(token.startsWith('enc:v1:k1:')).toBe(true);

    const rotated = Keyring.fromSecrets({
      encryptionKeys: [
        { id: 'k1', key: k1 },
        { id: 'k2', key: k2 },
      ],
      pseudonymKey,
    });
    expect(rotated.decrypt(token)).toBe('ada@example.com');
    expect(rotated.isStale(token)).toBe(true);
    const fresh = rotated.encrypt('ada@example.com');
    expect(fresh.startsWith('enc:v1:k2:')).toBe(true);
    expect(rotated.isStale(fresh)).toBe(false);
    // Random IVs: the same plaintext never gives the same ciphertext.
    expect(rotated.encrypt('x')).not.toBe(rotated.encrypt('x'));
  });

  it('refuses tampered ciphertext and unknown key ids', () => {
    const keyring = Keyring.fromSecrets({ encryptionKeys: [{ id: 'k1', key: k1 }], pseudonymKey });
    const token = keyring.encrypt('+14155550100');
    // A character inside the payload, changed for certain (the last one may carry unused
    // bits, and a fixed replacement could equal the character it replaces).
    const at = token.length - 8;
    const flipped = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    expect(flipped).not.toBe(token);
    expect(() => keyring.decrypt(flipped)).toThrow(KeyringError);
    expect(() => keyring.decrypt(token.replace('enc:v1:k1:', 'enc:v1:k9:'))).toThrow(/k9/);
  });

  it('pseudonyms are keyed and deterministic per kind and value', () => {
    const a = Keyring.fromSecrets({ encryptionKeys: [{ id: 'k1', key: k1 }], pseudonymKey });
    const b = Keyring.fromSecrets({
      encryptionKeys: [{ id: 'k1', key: k1 }],
      pseudonymKey: generateKeyMaterial(),
    });
    expect(a.pseudonym('email', 'ada@example.com')).toBe(a.pseudonym('email', 'ada@example.com'));
    expect(a.pseudonym('email', 'ada@example.com')).not.toBe(
      a.pseudonym('userId', 'ada@example.com'),
    );
    expect(a.pseudonym('email', 'ada@example.com')).not.toBe(
      b.pseudonym('email', 'ada@example.com'),
    );
  });
});

describe('resolveKeyring', () => {
  it('generates a private keyring file once and reuses it', () => {
    const dataDir = dirs.make('attune-keyring-');
    const config = loadConfig({ env: { ATTUNE_DATA_DIR: dataDir } });
    const first = resolveKeyring(config);
    expect(first.generated).toBe(true);
    expect(statSync(join(dataDir, keyringFileName)).mode & 0o777).toBe(0o600);
    const second = resolveKeyring(config);
    expect(second.generated).toBe(false);
    expect(second.keyring.decrypt(first.keyring.encrypt('hello'))).toBe('hello');
    expect(readFileSync(join(dataDir, keyringFileName), 'utf8')).toContain('pseudonymKey');
  });

  it('takes keys from config, newest last', () => {
    const dataDir = dirs.make('attune-keyring-');
    const config = loadConfig({
      env: {
        ATTUNE_DATA_DIR: dataDir,
        ATTUNE_ENCRYPTION_KEYS: `old:${k1},new:${k2}`,
        ATTUNE_PSEUDONYM_KEY: pseudonymKey,
      },
    });
    const { keyring, origin, generated } = resolveKeyring(config);
    expect(origin).toEqual({ encryptionKeys: 'config', pseudonymKey: 'config' });
    expect(generated).toBe(false);
    expect(keyring.currentKeyId).toBe('new');
  });

  it('names a malformed key list', () => {
    const config = loadConfig({ env: { ATTUNE_ENCRYPTION_KEYS: 'nocolon' } });
    expect(() => resolveKeyring(config)).toThrow(/ATTUNE_ENCRYPTION_KEYS/);
    const short = loadConfig({
      env: { ATTUNE_ENCRYPTION_KEYS: `k1:${Buffer.alloc(8).toString('base64')}` },
    });
    expect(() => resolveKeyring({ ...short, dataDir: dirs.make('kr-') })).toThrow(/32 bytes/);
  });
});
