import {
  piiPolicy,
  rewriteMessagePii,
  rewriteTraitsPii,
  truncateIp,
  type PiiLeaf,
  type PiiPolicy,
} from '@attune/engine';
import { isCiphertext, KeyringError, type Keyring } from '../../platform/keyring.js';
import { BoundedMemo } from './bounded-memo.js';

type Json = Record<string, unknown>;

export interface PiiOptions {
  /** Configured PII paths besides the defaults (ATTUNE_PII_PATHS). */
  piiPaths?: readonly string[];
  /** Truncate context.ip before encrypting it (ATTUNE_TRUNCATE_IP). */
  truncateIp?: boolean;
}

/** A stored message's text with its ciphertexts replaced by their values. */
export interface OpenedText {
  text: string;
  /** The top-level ids, when the text held them encrypted (see protectMessage). */
  userId?: string;
  anonymousId?: string;
}

/**
 * A ciphertext as a JSON string value inside JSON.stringify output: after `:`, `,` or `[`
 * and followed by `,`, `}` or `]`, so object keys and text inside other strings never match.
 */
const tokenPattern = /(?<=[:,[])"(enc:v1:[A-Za-z0-9_-]{1,32}:[A-Za-z0-9_-]+)"(?=[,}\]])/g;
const userIdPrefix = '{"userId":';
const anonymousIdKey = '"anonymousId":';

/**
 * PII at rest for everything Attune stores: each PII leaf becomes its own AES-256-GCM
 * ciphertext of `JSON.stringify(leaf)` (so numbers and booleans come back as such), and
 * identifiers used for lookup become HMAC pseudonyms. Decrypting stored JSON is a text
 * substitution (the plaintext is the leaf's JSON), with no parse and re-serialize.
 */
export class PiiCipher {
  readonly policy: PiiPolicy;
  private readonly truncate: boolean;
  private readonly pseudonyms = new BoundedMemo<string>(100_000);
  /** Ciphertext → plaintext JSON: a profile's ids and traits are read again and again. */
  private readonly plaintexts = new BoundedMemo<string>(100_000);
  /**
   * Identifier (or IP) → its ciphertext, reused across events while remembered. It reveals
   * only that two events carry the same id, which their pseudonym columns reveal anyway (for
   * IPs: that two events came from one address), and saves an AES call per id per event.
   */
  private readonly idTokens = new BoundedMemo<string>(100_000);

  constructor(
    readonly keyring: Keyring,
    options: PiiOptions = {},
  ) {
    this.policy = piiPolicy(options.piiPaths ?? []);
    this.truncate = options.truncateIp ?? false;
  }

  /** The lookup pseudonym of an identifier (type as in the identity graph, value normalized). */
  pseudonym(type: string, value: string): string {
    const key = `${type}\u0000${value}`;
    return (
      this.pseudonyms.get(key) ?? this.pseudonyms.set(key, this.keyring.pseudonym(type, value))
    );
  }

  /** The pseudonym of an events row's user_id/anonymous_id column (the trimmed id). */
  idColumn(type: 'user_id' | 'anonymous_id', id: string | null): string | null {
    return id === null ? null : this.pseudonym(type, id.trim());
  }

  encryptLeaf(value: unknown): string {
    return this.keyring.encrypt(JSON.stringify(value));
  }

  /** The value of a ciphertext; what is not one (or does not decrypt) comes back unchanged. */
  decryptLeaf(value: unknown): unknown {
    if (!isCiphertext(value)) return value;
    const plain = this.tryPlaintext(value);
    return plain === undefined ? value : (JSON.parse(plain) as unknown);
  }

  /** Encrypted with the newest key (plaintext, or ciphertext under an older key). */
  isCurrent(value: unknown): boolean {
    return isCiphertext(value) && !this.keyring.isStale(value);
  }

  /**
   * The message as stored: PII leaves encrypted (IP truncated first when configured; leaves
   * already encrypted with the newest key kept, older ones re-encrypted), and the top-level
   * userId/anonymousId encrypted and moved to the front, where reading finds them without
   * parsing. Returns the same object when nothing changed.
   */
  protectMessage(message: Json): Json {
    let result = rewriteMessagePii(message, this.policy, (leaf, path) => this.sealLeaf(leaf, path));
    const userId = this.sealId('user_id', result['userId']);
    const anonymousId = this.sealId('anonymous_id', result['anonymousId']);
    const previousId = this.sealId('alias', result['previousId']);
    if (
      userId !== result['userId'] ||
      anonymousId !== result['anonymousId'] ||
      previousId !== result['previousId']
    ) {
      // Only ciphertexts go in front (openText looks for them there); a null id stays behind.
      // Built key by key: a rest/spread copy costs more than the encryption it follows.
      const sealed: Record<string, unknown> = { userId, anonymousId, previousId };
      const front = (key: 'userId' | 'anonymousId') => isCiphertext(sealed[key]);
      const next: Json = {};
      if (front('userId')) next['userId'] = userId;
      if (front('anonymousId')) next['anonymousId'] = anonymousId;
      for (const key of Object.keys(result)) {
        if ((key === 'userId' || key === 'anonymousId') && front(key)) continue;
        const value = Object.hasOwn(sealed, key) ? sealed[key] : result[key];
        if (key === '__proto__')
          Object.defineProperty(next, key, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else next[key] = value;
      }
      result = next;
    }
    return result;
  }

  /** Traits of a profile as stored: PII leaves encrypted (`reuse` returns a kept ciphertext). */
  protectTraits(values: Json, reuse?: (plaintext: string, path: string) => string): Json {
    return rewriteTraitsPii(values, this.policy, (leaf, path) => {
      const plain = this.plainJsonOf(leaf);
      if (plain === undefined) return leaf;
      return reuse === undefined ? this.keyring.encrypt(plain) : reuse(plain, path);
    });
  }

  /**
   * Stored JSON text with every ciphertext replaced by its value. Cheap for text without
   * ciphertexts (one substring search). A token that does not decrypt (unknown key, not ours)
   * is left as it is: one bad value must not make an event or profile unreadable.
   */
  openText(text: string): OpenedText {
    if (!text.includes('enc:v1:')) return { text };
    const opened: OpenedText = { text };
    let userIdEnd = -1;
    opened.text = text.replace(tokenPattern, (match: string, token: string, offset: number) => {
      const plain = this.tryPlaintext(token);
      const idSlot =
        (offset === userIdPrefix.length && text.startsWith(userIdPrefix)) ||
        ((offset === 1 + anonymousIdKey.length ||
          offset === userIdEnd + 1 + anonymousIdKey.length) &&
          text.startsWith(anonymousIdKey, offset - anonymousIdKey.length));
      // An id encrypted under a key this keyring lacks: a configuration error (a key removed
      // before rotate-data finished). Going on would build profiles from ciphertexts.
      if (plain === undefined && idSlot && !this.keyring.hasKeyFor(token)) {
        throw new KeyringError(
          `Stored data is encrypted with a key that is not configured (${token.slice(0, token.indexOf(':', 7))}); add it back to the keyring`,
        );
      }
      if (plain === undefined) return match;
      if (offset === userIdPrefix.length && text.startsWith(userIdPrefix)) {
        opened.userId = idText(plain);
        userIdEnd = offset + match.length;
      } else if (
        (offset === 1 + anonymousIdKey.length ||
          offset === userIdEnd + 1 + anonymousIdKey.length) &&
        text.startsWith(anonymousIdKey, offset - anonymousIdKey.length)
      ) {
        opened.anonymousId = idText(plain);
      }
      return plain;
    });
    return opened;
  }

  /** The text with ciphertexts under older keys re-encrypted, or null when none were. */
  reencryptText(text: string): string | null {
    if (!text.includes('enc:v1:')) return null;
    let changed = false;
    const next = text.replace(tokenPattern, (match: string, token: string) => {
      if (!this.keyring.isStale(token)) return match;
      const plain = this.tryPlaintext(token);
      if (plain === undefined) return match;
      changed = true;
      return JSON.stringify(this.keyring.encrypt(plain));
    });
    return changed ? next : null;
  }

  /** Parsed stored JSON with its ciphertexts decrypted. */
  parse<T>(text: string): T {
    return JSON.parse(this.openText(text).text) as T;
  }

  private sealLeaf(leaf: PiiLeaf, path: string): unknown {
    const plain = this.plainJsonOf(leaf);
    if (plain === undefined) return leaf;
    if (path !== 'context.ip') return this.keyring.encrypt(plain);
    // Nearly every web event carries the IP: like ids, one ciphertext per address (see
    // idTokens), so neither ingest nor the processor's read pays an AES call per event.
    const value = JSON.parse(plain) as unknown;
    const ip =
      this.truncate && typeof value === 'string' ? JSON.stringify(truncateIp(value)) : plain;
    const key = `ip\u0000${ip}`;
    return this.idTokens.get(key) ?? this.idTokens.set(key, this.keyring.encrypt(ip));
  }

  private sealId(kind: string, value: unknown): unknown {
    if (typeof value !== 'string' && typeof value !== 'number') return value;
    if (value === '') return value;
    const plain = this.plainJsonOf(value);
    if (plain === undefined) return value;
    const key = `${kind}\u0000${plain}`;
    return this.idTokens.get(key) ?? this.idTokens.set(key, this.keyring.encrypt(plain));
  }

  /**
   * The JSON of a leaf's value, or undefined when it is already a ciphertext under the
   * newest key. A string that only looks like a ciphertext (it does not decrypt) is a value
   * like any other: it is encrypted, never trusted as already protected.
   */
  private plainJsonOf(leaf: unknown): string | undefined {
    if (!isCiphertext(leaf)) return JSON.stringify(leaf);
    const plain = this.tryPlaintext(leaf);
    if (plain === undefined) return JSON.stringify(leaf);
    return this.keyring.isStale(leaf) ? plain : undefined;
  }

  private plaintextOf(token: string): string {
    return this.plaintexts.get(token) ?? this.plaintexts.set(token, this.keyring.decrypt(token));
  }

  private tryPlaintext(token: string): string | undefined {
    try {
      return this.plaintextOf(token);
    } catch {
      return undefined;
    }
  }
}

/** An id as the log's columns hold it: strings as they are, numbers as text. */
function idText(plain: string): string {
  const value = JSON.parse(plain) as unknown;
  return typeof value === 'string' ? value : String(value);
}
