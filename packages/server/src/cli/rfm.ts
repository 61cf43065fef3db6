import type { RfmRecomputeResult, RfmSegmentsInstallResult, RfmSnapshot } from '@attune/contracts';
import { Command } from 'commander';
import {
  adminClientOf,
  processIo,
  serverOptions,
  type CliIo,
  type ServerFlags,
} from './admin-command.js';
import { formatCount } from './progress-bar.js';

/** `attune rfm recompute|install-segments`: the RFM API of a running Attune. */
export function rfmCommand(io: CliIo = processIo): Command {
  const rfm = new Command('rfm').description(
    'RFM quintile scores and the ready-made RFM segments on a running Attune',
  );

  serverOptions(rfm.command('recompute'))
    .description('recompute the RFM breakpoints now and print them')
    .option('--json', 'print JSON')
    .action(async (flags: ServerFlags & { json?: boolean }) => {
      const result = await adminClientOf(flags, io).request<RfmRecomputeResult>(
        'POST',
        '/v1/rfm/recompute',
        'recomputing RFM',
      );
      if (flags.json) {
        io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const scanned = `${formatCount(result.profilesScanned)} profiles scanned in ${formatCount(result.ms)} ms`;
      if (result.snapshot === null) {
        io.stdout.write(`no customers (profiles with an order) yet; ${scanned}\n`);
        return;
      }
      const { version, customers } = result.snapshot;
      io.stdout.write(
        `RFM breakpoints version ${version} (${result.changed ? 'new' : 'unchanged'}): ` +
          `${formatCount(customers)} customers, ${scanned}\n${breakpointsTable(result.snapshot)}`,
      );
    });

  serverOptions(rfm.command('install-segments'))
    .description('create the ready-made RFM segments (Champions … Lost); existing ids are skipped')
    .action(async (flags: ServerFlags) => {
      const result = await adminClientOf(flags, io).request<RfmSegmentsInstallResult>(
        'POST',
        '/v1/rfm/segments/install',
        'installing the RFM segments',
      );
      io.stdout.write(
        `created ${result.created.length}: ${result.created.join(', ') || '-'}\n` +
          `skipped ${result.skipped.length} (id taken): ${result.skipped.join(', ') || '-'}\n`,
      );
    });

  return rfm;
}

function breakpointsTable({ breakpoints }: RfmSnapshot): string {
  const rows: [string, number[]][] = [
    ['recency (days)', breakpoints.recency],
    ['frequency', breakpoints.frequency],
    ['monetary', breakpoints.monetary],
  ];
  const cell = (n: number) => String(Math.round(n * 100) / 100).padStart(10);
  const header = `${''.padEnd(16)}${['20%', '40%', '60%', '80%'].map((h) => h.padStart(10)).join('')}`;
  return `${[header, ...rows.map(([name, values]) => `${name.padEnd(16)}${values.map(cell).join('')}`)].join('\n')}\n`;
}
