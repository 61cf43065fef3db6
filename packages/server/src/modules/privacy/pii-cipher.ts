import {
  normalizePiiKey,
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
const tokenStart = '"enc:v1:';
/** Keys whose values are identifiers with lookup pseudonyms, so their ciphertexts may repeat. */
const reusableKeys = new Set(['email', 'phone']);
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
   * Per kind (user_id, anonymous_id, alias, ip, contact), a value → its ciphertext, reused
   * across events while remembered. It reveals only that two events carry the same id,
   * email or phone, which their lookup pseudonyms reveal anyway (for IPs: that two events
   * came from one address), and saves an AES call (~8 µs) per id per event.
   */
  private readonly reusedTokens = new Map<string, BoundedMemo<string>>();

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
    let at = text.indexOf(tokenStart);
    if (at === -1) return { text };
    const opened: OpenedText = { text };
    let userIdEnd = -1;
    // Pieces joined once: a flat string, where `+=` would leave a rope that every later
    // `includes` and JSON.parse has to flatten again.
    const pieces: string[] = [];
    let copied = 0;
    // A hand-written scan for tokenPattern: the processor opens every event it reads, and
    // this is several times cheaper than a regex with lookbehind over the whole text.
    while (at !== -1) {
      const end = tokenEnd(text, at);
      if (end === -1) {
        at = text.indexOf(tokenStart, at + 1);
        continue;
      }
      const token = text.slice(at + 1, end);
      const plain = this.tryPlaintext(token);
      const isUserId = at === userIdPrefix.length && text.startsWith(userIdPrefix);
      const isAnonymousId =
        !isUserId &&
        (at === 1 + anonymousIdKey.length || at === userIdEnd + 1 + anonymousIdKey.length) &&
        text.startsWith(anonymousIdKey, at - anonymousIdKey.length);
      // An id encrypted under a key this keyring lacks: a configuration error (a key removed
      // before rotate-data finished). Going on would build profiles from ciphertexts.
      if (plain === undefined && (isUserId || isAnonymousId) && !this.keyring.hasKeyFor(token)) {
        throw new KeyringError(
          `Stored data is encrypted with a key that is not configured (${token.slice(0, token.indexOf(':', 7))}); add it back to the keyring`,
        );
      }
      if (plain !== undefined) {
        if (isUserId) {
          opened.userId = idText(plain);
          userIdEnd = end + 1;
        } else if (isAnonymousId) opened.anonymousId = idText(plain);
        pieces.push(text.slice(copied, at), plain);
        copied = end + 1;
      }
      at = text.indexOf(tokenStart, end + 1);
    }
    if (copied > 0) {
      pieces.push(text.slice(copied));
      opened.text = pieces.join('');
    }
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
    if (typeof leaf === 'string' && !isCiphertext(leaf)) {
      // Nearly every web event carries the IP: like ids, one ciphertext per address, so
      // neither ingest nor the processor's read pays an AES call per event.
      if (path === 'context.ip')
        return this.reusedToken('ip', this.truncate ? truncateIp(leaf) : leaf);
      if (reusableKeys.has(normalizePiiKey(path.slice(path.lastIndexOf('.') + 1)))) {
        return this.reusedToken('contact', leaf);
      }
    }
    const plain = this.plainJsonOf(leaf);
    if (plain === undefined) return leaf;
    return this.keyring.encrypt(plain);
  }

  private sealId(kind: string, value: unknown): unknown {
    if (typeof value !== 'string' && typeof value !== 'number') return value;
    if (value === '') return value;
    if (typeof value === 'string' && !isCiphertext(value)) return this.reusedToken(kind, value);
    const plain = this.plainJsonOf(value);
    if (plain === undefined) return value;
    return this.keyring.encrypt(plain);
  }

  /** The remembered ciphertext of a string value of this kind (see reusedTokens). */
  private reusedToken(kind: string, value: string): string {
    let memo = this.reusedTokens.get(kind);
    if (memo === undefined) {
      memo = new BoundedMemo<string>(100_000);
      this.reusedTokens.set(kind, memo);
    }
    return memo.get(value) ?? memo.set(value, this.keyring.encrypt(JSON.stringify(value)));
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

/**
 * The index of the closing quote of the ciphertext string starting at `at` (a `"`), or -1
 * when it is not one in value position: what tokenPattern matches.
 */
function tokenEnd(text: string, at: number): number {
  const before = text.charCodeAt(at - 1);
  if (before !== 0x3a && before !== 0x2c && before !== 0x5b) return -1; // : , [
  let i = at + tokenStart.length;
  const idStart = i;
  while (i < text.length && isTokenChar(text.charCodeAt(i))) i++;
  if (i === idStart || i - idStart > 32 || text.charCodeAt(i) !== 0x3a) return -1;
  const bodyStart = ++i;
  while (i < text.length && isTokenChar(text.charCodeAt(i))) i++;
  if (i === bodyStart || text.charCodeAt(i) !== 0x22) return -1;
  const after = text.charCodeAt(i + 1);
  return after === 0x2c || after === 0x7d || after === 0x5d ? i : -1; // , } ]
}

/** [A-Za-z0-9_-] */
function isTokenChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x5f ||
    c === 0x2d
  );
}

/** An id as the log's columns hold it: strings as they are, numbers as text. */
function idText(plain: string): string {
  const value = JSON.parse(plain) as unknown;
  return typeof value === 'string' ? value : String(value);
}
