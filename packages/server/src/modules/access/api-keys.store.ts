import type { KeyKind, KeyRole } from '@attune/contracts';

export interface ApiKeyRecord {
  id: string;
  kind: KeyKind;
  role: KeyRole | null;
  sourceId: string | null;
  name: string;
  hash: string;
  hint: string;
  createdAt: number;
  revokedAt: number | null;
  /** Epoch ms after which the key is refused; null: never. */
  expiresAt: number | null;
}

export interface SourceRecord {
  id: string;
  name: string;
  createdAt: number;
}

/** Persistent state of the access module: sources and hashed API keys. */
export interface ApiKeyStore {
  insertKey(record: ApiKeyRecord): Promise<void>;
  findKeyByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  listKeys(): Promise<ApiKeyRecord[]>;
  /** Sets revokedAt on an active key; false when no active key has that id. */
  revokeKey(id: string, at: number): Promise<boolean>;
  countActiveKeys(kind: KeyKind): Promise<number>;
  ensureSource(source: SourceRecord): Promise<void>;
  findSource(id: string): Promise<SourceRecord | undefined>;
}
