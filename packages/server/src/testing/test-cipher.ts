import { PiiCipher, type PiiOptions } from '../modules/privacy/pii-cipher.js';
import { isCiphertext, Keyring } from '../platform/keyring.js';

/** A fixed keyring for tests (never for data that matters). */
export function testKeyring(ids: readonly string[] = ['k1']): Keyring {
  return new Keyring({
    encryptionKeys: ids.map((id) => ({ id, key: Buffer.alloc(32, id) })),
    pseudonymKey: Buffer.alloc(32, 'pseudonym'),
  });
}

export function testCipher(options: PiiOptions = {}): PiiCipher {
  return new PiiCipher(testKeyring(), options);
}

/**
 * Rows with every ciphertext replaced by its plaintext: stored state compared across runs
 * (ciphertexts differ every time: fresh IVs).
 */
export function decryptedRows(rows: unknown[], cipher: PiiCipher): unknown[] {
  return rows.map((row) => {
    const copy: Record<string, unknown> = { ...(row as Record<string, unknown>) };
    for (const [key, value] of Object.entries(copy)) {
      if (typeof value !== 'string') continue;
      copy[key] = isCiphertext(value)
        ? `decrypted:${JSON.stringify(cipher.decryptLeaf(value))}`
        : cipher.openText(value).text;
    }
    return copy;
  });
}
