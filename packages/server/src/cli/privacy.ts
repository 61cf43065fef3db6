import type { ErasureReceipt, ProfileExport } from '@attune/contracts';
import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import {
  adminClientOf,
  processIo,
  serverOptions,
  type CliIo,
  type ServerFlags,
} from './admin-command.js';
import { formatCount } from './progress-bar.js';
import { UsageError } from './usage-error.js';

/** `attune privacy export|erase`: data subject requests on a running Attune. */
export function privacyCommand(io: CliIo = processIo): Command {
  const privacy = new Command('privacy').description(
    'data subject requests: export everything held on a person, or erase them',
  );

  serverOptions(privacy.command('export <profileId>'))
    .description('export everything held on one person as JSON')
    .option('--out <file>', 'write the JSON here instead of to stdout')
    .action(async (profileId: string, flags: ServerFlags & { out?: string }) => {
      const exported = await adminClientOf(flags, io).request<ProfileExport>(
        'GET',
        `/v1/privacy/profiles/${encodeURIComponent(profileId)}/export`,
        `exporting ${profileId}`,
      );
      const json = `${JSON.stringify(exported, null, 2)}\n`;
      if (flags.out === undefined) {
        io.stdout.write(json);
        return;
      }
      writeFileSync(flags.out, json);
      io.stdout.write(
        `wrote ${flags.out}: ${formatCount(exported.events.length)} events, ` +
          `${exported.identities.length} identities\n`,
      );
    });

  serverOptions(privacy.command('erase <profileId>'))
    .description('erase one person (profile, identities, events, derived state); cannot be undone')
    .option('--yes', 'confirm: the erasure cannot be undone')
    .option('--json', 'print the receipt as JSON')
    .action(async (profileId: string, flags: ServerFlags & { yes?: boolean; json?: boolean }) => {
      if (flags.yes !== true)
        throw new UsageError(`erasing ${profileId} cannot be undone; pass --yes to confirm`);
      const receipt = await adminClientOf(flags, io).request<ErasureReceipt>(
        'DELETE',
        `/v1/privacy/profiles/${encodeURIComponent(profileId)}`,
        `erasing ${profileId}`,
      );
      if (flags.json) {
        io.stdout.write(`${JSON.stringify(receipt, null, 2)}\n`);
        return;
      }
      const rows = Object.values(receipt.deleted).reduce((a, b) => a + b, 0);
      io.stdout.write(
        `erased ${receipt.profileIds.join(', ')} in ${receipt.durationMs} ms: ` +
          `${formatCount(rows)} rows, ${receipt.suppressedIdentifiers.length} identifiers suppressed, ` +
          `verified ${receipt.verified ? 'clean' : 'NOT clean'}; receipt ${receipt.receiptId}\n`,
      );
    });

  return privacy;
}
