#!/usr/bin/env node
import { Command, Option } from 'commander';
import { ConfigError } from '../config/config.js';
import { KeyRequestError } from '../modules/access/api-keys.service.js';
import { DataDirInUseError } from '../platform/data-dir-lock.js';
import { attuneVersion } from '../version.js';
import { importCommand } from './import.js';
import { keysCommand } from './keys.js';
import { replayCommand } from './replay.js';
import { privacyCommand } from './privacy.js';
import { rfmCommand } from './rfm.js';
import { segmentsCommand } from './segments.js';
import { serveCommand } from './serve.js';
import { UsageError } from './usage-error.js';

const program = new Command('attune')
  .description('Attune: self-hosted, real-time customer data platform')
  .version(attuneVersion);

program
  .command('serve')
  .description('start the API server with the embedded SQLite store')
  .option('-p, --port <port>', 'port to listen on (env PORT, default 8080)')
  .option('--host <host>', 'interface to bind (env HOST, default 0.0.0.0)')
  .option(
    '-d, --data-dir <dir>',
    'where the database lives (env ATTUNE_DATA_DIR, default ./.attune)',
  )
  .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (env ATTUNE_LOG_LEVEL)')
  .option(
    '--dedup-window <duration>',
    'how long a messageId is remembered, e.g. 7d (env ATTUNE_DEDUP_WINDOW)',
  )
  .addOption(new Option('--no-processor', 'do not run the event processor in this process'))
  .action(serveCommand);

program
  .command('replay')
  .description(
    'rebuild all derived state (identities, profiles…) from the event log; stop the server first',
  )
  .option(
    '-d, --data-dir <dir>',
    'where the database lives (env ATTUNE_DATA_DIR, default ./.attune)',
  )
  .action(replayCommand);

program
  .command('import <file>')
  .description(
    'stream a CSV or JSONL file into a running Attune (idempotent: re-importing adds nothing)',
  )
  .option('--format <format>', 'csv or jsonl (default: from the file extension)')
  .option('--mapping <file>', 'CSV: JSON mapping of columns to ids, traits, properties, orders')
  .option('--encoding <encoding>', 'text encoding of the file, e.g. latin1', 'utf8')
  .option('--errors <file>', 'where rejected rows go (default <file>.errors.jsonl)')
  .option('--url <url>', 'the Attune server', 'http://localhost:8080')
  .option('--write-key <key>', 'write key of the source (env ATTUNE_WRITE_KEY)')
  .option('--batch-size <n>', 'messages per request', '500')
  .action(importCommand);

program.addCommand(keysCommand());
program.addCommand(segmentsCommand());
program.addCommand(rfmCommand());
program.addCommand(privacyCommand());

program.parseAsync().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  if (
    error instanceof UsageError ||
    error instanceof KeyRequestError ||
    error instanceof DataDirInUseError
  ) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
