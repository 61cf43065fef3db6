import type { Command } from 'commander';
import { environment } from '../config/environment.js';
import { AdminClient } from './admin-client.js';
import { UsageError } from './usage-error.js';

/** Where a command writes, and the environment it reads (tests pass their own). */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: () => Record<string, string | undefined>;
}

export const processIo: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: environment,
};

export interface ServerFlags {
  url: string;
  adminKey?: string;
}

/** The options of a command that talks to a running Attune's admin API. */
export function serverOptions(command: Command): Command {
  return command
    .option('--url <url>', 'the Attune server', 'http://localhost:8080')
    .option('--admin-key <key>', 'a secret (admin) key (env ATTUNE_ADMIN_KEY)');
}

export function adminClientOf(flags: ServerFlags, io: CliIo): AdminClient {
  const key = flags.adminKey ?? io.env()['ATTUNE_ADMIN_KEY'];
  if (key === undefined || key === '')
    throw new UsageError('give an admin key: --admin-key or ATTUNE_ADMIN_KEY');
  return new AdminClient(flags.url, key);
}
