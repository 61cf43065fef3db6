import type { Command } from 'commander';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../adapters/sqlite/open-database.js';
import { rotatePii, type RotationProgress } from '../adapters/sqlite/pii-rotation.sqlite.js';
import { databaseFilesOf } from '../app.js';
import type { Config } from '../config/config.js';
import { processingOf } from '../config/processing.js';
import { PiiCipher } from '../modules/privacy/pii-cipher.js';
import { lockDataDir } from '../platform/data-dir-lock.js';
import { generateKeyMaterial, type KeyringSecrets } from '../platform/keyring.js';
import { keyringFileName, resolveKeyring } from '../platform/keyring-source.js';
import { formatCount, progressBar, ProgressLine } from './progress-bar.js';
import { UsageError } from './usage-error.js';

/** `attune keys add-encryption-key` and `attune keys rotate-data`. */
export function addEncryptionCommands(keys: Command, configOf: () => Config): void {
  keys
    .command('add-encryption-key')
    .description('add a new newest encryption key (new writes use it; old data stays readable)')
    .action(() => {
      const config = configOf();
      const material = generateKeyMaterial();
      if (config.privacy.encryptionKeys !== undefined) {
        const ids = resolveKeyring(config)
          .keyring.secrets()
          .encryptionKeys.map((k) => k.id);
        const id = nextKeyId(ids);
        process.stderr.write(
          `The encryption keys come from ATTUNE_ENCRYPTION_KEYS (${ids.join(', ')}). Append the new key,\n` +
            `newest last, restart Attune, then run \`attune keys rotate-data\`:\n`,
        );
        process.stdout.write(`,${id}:${material}\n`);
        return;
      }
      const path = join(config.dataDir, keyringFileName);
      if (!existsSync(path)) throw new UsageError(`No keyring at ${path}; start Attune once first`);
      const file = JSON.parse(readFileSync(path, 'utf8')) as KeyringSecrets;
      const id = nextKeyId(file.encryptionKeys.map((k) => k.id));
      file.encryptionKeys.push({ id, key: material });
      // Written beside and renamed over: a crash never leaves a half-written keyring.
      writeFileSync(`${path}.new`, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
      renameSync(`${path}.new`, path);
      process.stderr.write(
        `added encryption key ${id} to ${path}; restart Attune to write with it, then run \`attune keys rotate-data\`\n`,
      );
    });

  keys
    .command('rotate-data')
    .description(
      're-encrypt everything stored under older keys (and PII stored in the clear) with the newest key; run with the server stopped; resumable',
    )
    .option('--batch-size <n>', 'rows per transaction', '1000')
    .action((options: { batchSize: string }) => {
      const batchSize = Number(options.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new UsageError('--batch-size must be a positive integer');
      const config = configOf();
      const results = rotateData(config, batchSize, progressPrinter());
      for (const r of results) {
        process.stderr.write(`${r.target}: ${formatCount(r.rewritten)} rewritten\n`);
      }
    });
}

/**
 * Takes the data directory's lock: while a server runs it would keep writing with the key
 * it started with, and might not know the newest key yet.
 */
export function rotateData(
  config: Config,
  batchSize: number,
  onProgress: (p: RotationProgress) => void,
): RotationProgress[] {
  const unlock = lockDataDir(config.dataDir);
  const files = databaseFilesOf(config);
  const log = openDatabase(files.log, { schema: 'log' });
  const state = openDatabase(files.state, { schema: 'state' });
  try {
    const cipher = new PiiCipher(resolveKeyring(config).keyring, processingOf(config).pii);
    return rotatePii({ log, state }, cipher, onProgress, batchSize);
  } finally {
    log.close();
    state.close();
    unlock();
  }
}

function progressPrinter(): (p: RotationProgress) => void {
  const line = new ProgressLine(process.stderr);
  let target = '';
  return (p) => {
    if (p.target !== target) line.end();
    target = p.target;
    line.update(
      `${p.target.padEnd(26)} ${progressBar(p.done / Math.max(1, p.total))} ${formatCount(p.done)} rows, ${formatCount(p.rewritten)} rewritten`,
    );
  };
}

/** k1, k2 … : one more than the highest numbered id. */
function nextKeyId(ids: readonly string[]): string {
  let highest = 0;
  for (const id of ids) {
    const match = /^k(\d+)$/.exec(id);
    if (match !== null) highest = Math.max(highest, Number(match[1]));
  }
  let n = highest + 1;
  while (ids.includes(`k${n}`)) n++;
  return `k${n}`;
}
