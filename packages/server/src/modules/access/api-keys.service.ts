import type { ApiKeyInfo, CreateKeyRequest, CreatedKey, KeyKind, KeyRole } from '@attune/contracts';
import { formatIsoTimestamp } from '@attune/engine';
import type { Clock } from '../../platform/clock.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { ApiKeyRecord, ApiKeyStore } from './api-keys.store.js';
import { generateKey, hashKey, keyHint } from './key-material.js';

export const defaultSourceId = 'default';

export type WriteAuth =
  | { ok: true; sourceId: string; keyId: string }
  | { ok: false; code: 'invalid_write_key'; detail: string };
/** The secret key a request was authenticated with. */
export interface AuthenticatedKey {
  keyId: string;
  role: KeyRole;
}
export type SecretAuth =
  ({ ok: true } & AuthenticatedKey) | { ok: false; code: 'invalid_api_key'; detail: string };

export class KeyRequestError extends Error {
  constructor(
    readonly code: 'invalid_request' | 'not_found',
    readonly field: string | undefined,
    detail: string,
  ) {
    super(detail);
  }
}

export interface BootstrapResult {
  /** Keys created by this start; shown once, never again retrievable. */
  created: { kind: KeyKind; key: string }[];
}

/** Write keys whose hash and record are remembered (every ingest and decide request has one). */
const writeKeyCacheSize = 1_000;

/**
 * How long a write key's record is used from memory: a key revoked by `attune keys revoke`
 * (another process, on the database) is refused within this; one revoked through this
 * server's API at once. A query per request was 6% of decide's time.
 */
export const writeKeyRecordMaxAgeMs = 1_000;

interface RememberedWriteKey {
  hash: string;
  record: ApiKeyRecord | undefined;
  /** Clock time the record was read; read again past `writeKeyRecordMaxAgeMs`. */
  readAt: number;
}

export class ApiKeysService {
  /** Write keys by their text: SHA-256 and the record as recently read. */
  private readonly writeKeys = new Map<string, RememberedWriteKey>();

  constructor(
    private readonly store: ApiKeyStore,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /**
   * Makes sure a default source, a write key and an admin key exist. Configured keys are
   * registered as given; a missing kind is generated once, on the first start.
   */
  async bootstrap(configured: {
    writeKey?: string | undefined;
    adminKey?: string | undefined;
  }): Promise<BootstrapResult> {
    await this.store.ensureSource({
      id: defaultSourceId,
      name: 'Default source',
      createdAt: this.clock.now(),
    });
    const created: BootstrapResult['created'] = [];
    const plan = [
      { kind: 'write' as const, value: configured.writeKey, name: 'bootstrap write key' },
      { kind: 'secret' as const, value: configured.adminKey, name: 'bootstrap admin key' },
    ];
    for (const { kind, value, name } of plan) {
      if (value !== undefined) {
        await this.ensureKey(value, { kind, name, sourceId: defaultSourceId, role: 'admin' });
      } else if ((await this.store.countActiveKeys(kind)) === 0) {
        const key = generateKey(kind);
        await this.insert(kind, key, { kind, name, sourceId: defaultSourceId, role: 'admin' });
        created.push({ kind, key });
      }
    }
    return { created };
  }

  /**
   * Registers a write key whose value the caller knows (the demo page's), unless a key with
   * that value exists already. A revoked one stays revoked: revoking is how it is turned off.
   */
  async ensureWriteKey(value: string, sourceId: string, name: string): Promise<void> {
    await this.ensureKey(value, { kind: 'write', name, sourceId });
  }

  /** Registers a key of a known value unless one with that value exists (revoked too). */
  private async ensureKey(value: string, request: CreateKeyRequest): Promise<void> {
    if ((await this.store.findKeyByHash(hashKey(value))) === undefined)
      await this.insert(request.kind, value, request);
  }

  async create(request: CreateKeyRequest): Promise<CreatedKey> {
    const expiresAt = this.expiryOf(request.expiresAt);
    const key = generateKey(request.kind);
    const info = await this.insert(request.kind, key, request, expiresAt);
    return { key, info };
  }

  async list(): Promise<ApiKeyInfo[]> {
    return (await this.store.listKeys()).map(toInfo);
  }

  async revoke(id: string): Promise<void> {
    if (!(await this.store.revokeKey(id, this.clock.now()))) {
      throw new KeyRequestError('not_found', undefined, `No active key with id ${id}`);
    }
    this.forgetWriteKeyRecords();
  }

  async sourceExists(id: string): Promise<boolean> {
    return (await this.store.findSource(id)) !== undefined;
  }

  async authenticateWriteKey(key: string): Promise<WriteAuth> {
    const record = await this.writeKeyRecord(key);
    if (record === undefined || record.revokedAt !== null) {
      return {
        ok: false,
        code: 'invalid_write_key',
        detail: 'The write key is unknown or has been revoked',
      };
    }
    if (this.expired(record)) {
      return { ok: false, code: 'invalid_write_key', detail: expiredDetail(record) };
    }
    if (record.kind !== 'write' || record.sourceId === null) {
      return {
        ok: false,
        code: 'invalid_write_key',
        detail: 'This is a secret API key; send events with a source write key',
      };
    }
    return { ok: true, sourceId: record.sourceId, keyId: record.id };
  }

  private async writeKeyRecord(key: string): Promise<ApiKeyRecord | undefined> {
    const now = this.clock.now();
    const remembered = this.writeKeys.get(key);
    if (remembered !== undefined && now - remembered.readAt < writeKeyRecordMaxAgeMs)
      return remembered.record;
    const hash = remembered?.hash ?? hashKey(key);
    const record = await this.store.findKeyByHash(hash);
    if (remembered === undefined && this.writeKeys.size >= writeKeyCacheSize)
      this.writeKeys.clear();
    this.writeKeys.set(key, { hash, record, readAt: now });
    return record;
  }

  /** Records change (a revoke, a new key of a remembered value): read them again. */
  private forgetWriteKeyRecords(): void {
    for (const remembered of this.writeKeys.values()) remembered.readAt = -Infinity;
  }

  async authenticateSecretKey(key: string): Promise<SecretAuth> {
    const record = await this.store.findKeyByHash(hashKey(key));
    if (record === undefined || record.revokedAt !== null) {
      return {
        ok: false,
        code: 'invalid_api_key',
        detail: 'The API key is unknown or has been revoked',
      };
    }
    if (this.expired(record)) {
      return { ok: false, code: 'invalid_api_key', detail: expiredDetail(record) };
    }
    if (record.kind !== 'secret' || record.role === null) {
      return {
        ok: false,
        code: 'invalid_api_key',
        detail: 'This is a write key; it may only send events. Use a secret API key',
      };
    }
    return { ok: true, role: record.role, keyId: record.id };
  }

  private expired(record: ApiKeyRecord): boolean {
    return record.expiresAt !== null && record.expiresAt <= this.clock.now();
  }

  /** An expiry must be a parseable time in the future: a key born expired is a mistake. */
  private expiryOf(text: string | undefined): number | null {
    if (text === undefined) return null;
    const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(at)) {
      throw new KeyRequestError(
        'invalid_request',
        '/expiresAt',
        `expiresAt must be an ISO-8601 time, got ${JSON.stringify(text)}`,
      );
    }
    if (at <= this.clock.now()) {
      throw new KeyRequestError('invalid_request', '/expiresAt', 'expiresAt is in the past');
    }
    return at;
  }

  private async insert(
    kind: KeyKind,
    key: string,
    request: CreateKeyRequest,
    expiresAt: number | null = null,
  ): Promise<ApiKeyInfo> {
    let sourceId: string | null = null;
    if (kind === 'write') {
      sourceId = request.sourceId ?? defaultSourceId;
      if ((await this.store.findSource(sourceId)) === undefined) {
        await this.store.ensureSource({
          id: sourceId,
          name: sourceId,
          createdAt: this.clock.now(),
        });
      }
    }
    const record: ApiKeyRecord = {
      id: this.ids.next(),
      kind,
      role: kind === 'secret' ? (request.role ?? 'admin') : null,
      sourceId,
      name: request.name,
      hash: hashKey(key),
      hint: keyHint(key),
      createdAt: this.clock.now(),
      revokedAt: null,
      expiresAt,
    };
    await this.store.insertKey(record);
    this.forgetWriteKeyRecords();
    return toInfo(record);
  }
}

function toInfo(record: ApiKeyRecord): ApiKeyInfo {
  return {
    id: record.id,
    kind: record.kind,
    role: record.role,
    sourceId: record.sourceId,
    name: record.name,
    hint: record.hint,
    createdAt: formatIsoTimestamp(record.createdAt),
    revokedAt: record.revokedAt === null ? null : formatIsoTimestamp(record.revokedAt),
    expiresAt: record.expiresAt === null ? null : formatIsoTimestamp(record.expiresAt),
  };
}

function expiredDetail(record: ApiKeyRecord): string {
  return `The key expired at ${formatIsoTimestamp(record.expiresAt ?? 0)}; create a new one`;
}
