import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  randomFillSync,
} from 'node:crypto';

/** One AES-256 key of the keyring. */
export interface KeyMaterial {
  /** Short id stored with every ciphertext, so rotation keeps old data readable. */
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

export interface KeyringMaterial {
  /** Oldest first; new writes use the last one. */
  encryptionKeys: KeyMaterial[];
  /** The HMAC-SHA256 key of lookup pseudonyms; never rotated (lookups would break). */
  pseudonymKey: Buffer;
}

/** Plain data that crosses to worker threads (Buffers become base64). */
export interface KeyringSecrets {
  encryptionKeys: { id: string; key: string }[];
  pseudonymKey: string;
}

const prefix = 'enc:v1:';
const ivBytes = 12;
const tagBytes = 16;

export class KeyringError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'KeyringError';
  }
}

/**
 * Encryption at rest (AES-256-GCM) and keyed pseudonyms (HMAC-SHA256) with one keyring.
 * A ciphertext is a string, `enc:v1:<key id>:<base64url(iv ‖ ciphertext ‖ tag)>`, so it can
 * replace a value inside stored JSON.
 */
export class Keyring {
  private readonly byId: Map<string, Buffer>;
  private readonly current: KeyMaterial;

  constructor(private readonly material: KeyringMaterial) {
    if (material.encryptionKeys.length === 0) throw new KeyringError('The keyring has no keys');
    this.byId = new Map();
    for (const { id, key } of material.encryptionKeys) {
      if (key.length !== 32) throw new KeyringError(`Key ${id} is not 32 bytes`);
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new KeyringError(`Bad key id ${id}`);
      if (this.byId.has(id)) throw new KeyringError(`Key id ${id} appears twice`);
      this.byId.set(id, key);
    }
    if (material.pseudonymKey.length < 32) {
      throw new KeyringError('The pseudonym key must be at least 32 bytes');
    }
    this.current = material.encryptionKeys[material.encryptionKeys.length - 1] as KeyMaterial;
  }

  static fromSecrets(secrets: KeyringSecrets): Keyring {
    return new Keyring({
      encryptionKeys: secrets.encryptionKeys.map(({ id, key }) => ({
        id,
        key: Buffer.from(key, 'base64'),
      })),
      pseudonymKey: Buffer.from(secrets.pseudonymKey, 'base64'),
    });
  }

  /** For handing to a worker thread. */
  secrets(): KeyringSecrets {
    return {
      encryptionKeys: this.material.encryptionKeys.map(({ id, key }) => ({
        id,
        key: key.toString('base64'),
      })),
      pseudonymKey: this.material.pseudonymKey.toString('base64'),
    };
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  encrypt(plaintext: string): string {
    const iv = nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const sealed = Buffer.concat([iv, body, cipher.getAuthTag()]);
    return `${prefix}${this.current.id}:${sealed.toString('base64url')}`;
  }

  /** Throws KeyringError for an unknown key id or a tampered ciphertext. */
  decrypt(token: string): string {
    const keyId = keyIdOf(token);
    if (keyId === undefined) throw new KeyringError('Not a ciphertext');
    const key = this.byId.get(keyId);
    if (key === undefined) throw new KeyringError(`Unknown encryption key id ${keyId}`);
    const sealed = Buffer.from(token.slice(prefix.length + keyId.length + 1), 'base64url');
    if (sealed.length < ivBytes + tagBytes) throw new KeyringError('Truncated ciphertext');
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, ivBytes));
    decipher.setAuthTag(sealed.subarray(sealed.length - tagBytes));
    try {
      const body = decipher.update(sealed.subarray(ivBytes, sealed.length - tagBytes));
      return Buffer.concat([body, decipher.final()]).toString('utf8');
    } catch {
      throw new KeyringError(`Ciphertext does not authenticate under key ${keyId}`);
    }
  }

  /** True when the keyring holds the key a ciphertext names (it may still not authenticate). */
  hasKeyFor(token: string): boolean {
    const keyId = keyIdOf(token);
    return keyId !== undefined && this.byId.has(keyId);
  }

  /** True when a ciphertext was written with an older key (rotate-data re-encrypts it). */
  isStale(token: string): boolean {
    const keyId = keyIdOf(token);
    return keyId !== undefined && keyId !== this.current.id;
  }

  /**
   * The stored stand-in for an identifier used for lookup: HMAC-SHA256 over kind and value,
   * so equal identifiers still match while the database alone reveals nothing.
   */
  pseudonym(kind: string, value: string): string {
    const mac = createHmac('sha256', this.material.pseudonymKey);
    mac.update(kind);
    mac.update('\u0000');
    mac.update(value);
    return `ps_${mac.digest('base64url')}`;
  }
}

// IVs come from a pool filled 4 KB at a time: one randomBytes call per value costs more than
// the encryption itself. Each IV is still 96 fresh random bits, used once.
const ivPool = Buffer.alloc(ivBytes * 341);
let ivPosition = ivPool.length;

function nextIv(): Buffer {
  if (ivPosition === ivPool.length) {
    randomFillSync(ivPool);
    ivPosition = 0;
  }
  // A view, not a copy: encrypt() consumes it before the pool can refill.
  const iv = ivPool.subarray(ivPosition, ivPosition + ivBytes);
  ivPosition += ivBytes;
  return iv;
}

export function isCiphertext(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(prefix);
}

function keyIdOf(token: string): string | undefined {
  if (!token.startsWith(prefix)) return undefined;
  const end = token.indexOf(':', prefix.length);
  return end === -1 ? undefined : token.slice(prefix.length, end);
}

/** A fresh random 32-byte key, base64. */
export function generateKeyMaterial(): string {
  return randomBytes(32).toString('base64');
}
