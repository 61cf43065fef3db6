import { keyKinds, keyRoles, type KeyKind, type KeyRole } from '@attune/contracts';
import { Command } from 'commander';
import { SqliteApiKeyStore } from '../adapters/sqlite/api-key-store.sqlite.js';
import { openDatabase } from '../adapters/sqlite/open-database.js';
import { databaseFilesOf } from '../app.js';
import { loadConfig } from '../config/config.js';
import { environment } from '../config/environment.js';
import { SqliteAuditLogStore } from '../adapters/sqlite/audit-log.sqlite.js';
import { ApiKeysService, KeyRequestError } from '../modules/access/api-keys.service.js';
import { canonicalJson } from '../modules/access/audit-chain.js';
import { systemClock } from '../platform/clock.js';
import { uuidGenerator } from '../platform/ids.js';
import { addEncryptionCommands } from './keys-encryption.js';
import { UsageError } from './usage-error.js';

/**
 * `attune keys create|list|revoke`, working on the database directly (server may be
 * running); and the encryption keys' `add-encryption-key` and `rotate-data`.
 */
export function keysCommand(): Command {
  const keys = new Command('keys')
    .description('manage API keys')
    .option('-d, --data-dir <dir>', 'where the database lives');

  keys
    .command('create')
    .description('create a key and print it (only this once)')
    .requiredOption('--kind <kind>', 'write (ingest for a source) or secret (admin API)')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--source <id>', 'source of a write key (created if new)', 'default')
    .option('--role <role>', `role of a secret key: ${keyRoles.join(', ')}`, 'admin')
    .option('--expires <time>', 'ISO-8601 time after which the key is refused')
    .action(async (options: CreateOptions) => {
      if (!(keyKinds as readonly string[]).includes(options.kind)) {
        throw new UsageError(`--kind must be one of ${keyKinds.join(', ')}`);
      }
      if (!(keyRoles as readonly string[]).includes(options.role)) {
        throw new UsageError(`--role must be one of ${keyRoles.join(', ')}`);
      }
      await withService(keys, async (service, audit) => {
        const created = await usage(() =>
          service.create({
            kind: options.kind as KeyKind,
            name: options.name,
            sourceId: options.source,
            ...(options.kind === 'secret' ? { role: options.role as KeyRole } : {}),
            ...(options.expires === undefined ? {} : { expiresAt: options.expires }),
          }),
        );
        const { id, kind, role, sourceId, expiresAt } = created.info;
        audit('keys.create', 'attune keys create', id, { kind, role, sourceId, expiresAt });
        process.stdout.write(`${created.key}\n`);
        process.stderr.write(
          `created ${created.info.kind} key ${created.info.id}${created.info.sourceId ? ` for source ${created.info.sourceId}` : ''}; it is not shown again\n`,
        );
      });
    });

  keys
    .command('list')
    .description('list keys (hints only; keys are stored hashed)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withService(keys, async (service) => {
        const list = await service.list();
        if (options.json) {
          process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        const rows = list.map((k) => [
          k.id,
          k.kind,
          k.role ?? '',
          k.sourceId ?? '',
          k.hint,
          k.name,
          k.revokedAt === null ? 'active' : `revoked ${k.revokedAt}`,
          k.expiresAt ?? '',
        ]);
        printTable(['ID', 'KIND', 'ROLE', 'SOURCE', 'HINT', 'NAME', 'STATUS', 'EXPIRES'], rows);
      });
    });

  keys
    .command('revoke <id>')
    .description('revoke a key by id')
    .action(async (id: string) => {
      await withService(keys, async (service, audit) => {
        await usage(() => service.revoke(id));
        audit('keys.revoke', `attune keys revoke ${id}`, id, {});
        process.stderr.write(`revoked ${id}\n`);
      });
    });

  addEncryptionCommands(keys, () => loadConfig({ env: environment(), flags: keys.opts() }));
  return keys;
}

interface CreateOptions {
  kind: string;
  name: string;
  source: string;
  role: string;
  expires?: string;
}

/** Records a key change made from the command line (no API key: the operator's shell). */
type AuditKeyChange = (
  action: string,
  command: string,
  target: string,
  detail: Record<string, unknown>,
) => void;

async function withService(
  keys: Command,
  run: (service: ApiKeysService, audit: AuditKeyChange) => Promise<void>,
): Promise<void> {
  const config = loadConfig({ env: environment(), flags: keys.opts() });
  const db = openDatabase(databaseFilesOf(config).log, { schema: 'log' });
  const log = new SqliteAuditLogStore(db);
  const audit: AuditKeyChange = (action, command, target, detail) => {
    log.append({
      at: systemClock.now(),
      keyId: null,
      role: null,
      action,
      method: 'CLI',
      url: command,
      target,
      ip: 'local',
      status: 0,
      detail: canonicalJson(detail),
    });
  };
  try {
    await run(new ApiKeysService(new SqliteApiKeyStore(db), systemClock, uuidGenerator), audit);
  } finally {
    db.close();
  }
}

async function usage<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof KeyRequestError) throw new UsageError(error.message);
    throw error;
  }
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}
