import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { generateKeyMaterial, Keyring, KeyringError, type KeyringSecrets } from './keyring.js';

export const keyringFileName = 'keyring.json';

export interface ResolvedKeyring {
  keyring: Keyring;
  /** Where each secret came from, for the start-up log line (never the secret itself). */
  origin: { encryptionKeys: 'config' | 'file'; pseudonymKey: 'config' | 'file' };
  /** True when this call generated the keyring file. */
  generated: boolean;
}

/**
 * The keyring from config (ATTUNE_ENCRYPTION_KEYS, ATTUNE_PSEUDONYM_KEY); what config does
 * not give comes from `<dataDir>/keyring.json`, generated (mode 0600) on the first start so
 * `npm start` encrypts with zero setup. Production should set both variables and keep the
 * keys away from the data.
 */
export function resolveKeyring(config: Pick<Config, 'dataDir' | 'privacy'>): ResolvedKeyring {
  const fromConfig = {
    encryptionKeys:
      config.privacy.encryptionKeys === undefined
        ? undefined
        : parseEncryptionKeys(config.privacy.encryptionKeys),
    pseudonymKey: config.privacy.pseudonymKey,
  };
  let generated = false;
  let file: KeyringSecrets | undefined;
  if (fromConfig.encryptionKeys === undefined || fromConfig.pseudonymKey === undefined) {
    const path = join(config.dataDir, keyringFileName);
    if (!existsSync(path)) {
      mkdirSync(config.dataDir, { recursive: true });
      const fresh: KeyringSecrets = {
        encryptionKeys: [{ id: 'k1', key: generateKeyMaterial() }],
        pseudonymKey: generateKeyMaterial(),
      };
      // 'wx': two processes starting at once never overwrite each other's keys.
      try {
        writeFileSync(path, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
        generated = true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    file = readKeyringFile(path);
  }
  const secrets: KeyringSecrets = {
    encryptionKeys: fromConfig.encryptionKeys ?? file?.encryptionKeys ?? [],
    pseudonymKey: fromConfig.pseudonymKey ?? file?.pseudonymKey ?? '',
  };
  return {
    keyring: Keyring.fromSecrets(secrets),
    origin: {
      encryptionKeys: fromConfig.encryptionKeys === undefined ? 'file' : 'config',
      pseudonymKey: fromConfig.pseudonymKey === undefined ? 'file' : 'config',
    },
    generated,
  };
}

/** `k1:BASE64,k2:BASE64`, oldest first. */
export function parseEncryptionKeys(text: string): KeyringSecrets['encryptionKeys'] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const colon = entry.indexOf(':');
      if (colon <= 0) {
        throw new KeyringError('ATTUNE_ENCRYPTION_KEYS: each entry is `<key id>:<base64 key>`');
      }
      return { id: entry.slice(0, colon), key: entry.slice(colon + 1) };
    });
}

function readKeyringFile(path: string): KeyringSecrets {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<KeyringSecrets>;
  if (!Array.isArray(parsed.encryptionKeys) || typeof parsed.pseudonymKey !== 'string') {
    throw new KeyringError(`${path} is not a keyring file`);
  }
  return { encryptionKeys: parsed.encryptionKeys, pseudonymKey: parsed.pseudonymKey };
}
