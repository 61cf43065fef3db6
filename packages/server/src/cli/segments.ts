import type { SegmentList, SegmentView } from '@attune/contracts';
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { AdminClient } from './admin-client.js';
import {
  adminClientOf,
  processIo,
  serverOptions,
  type CliIo,
  type ServerFlags,
} from './admin-command.js';
import { formatCount, progressBar, ProgressLine } from './progress-bar.js';
import { UsageError } from './usage-error.js';

/**
 * `attune segments create|list|backfill|delete`: the segments API of a running Attune
 * (`--url`, `--admin-key` or ATTUNE_ADMIN_KEY).
 */
export function segmentsCommand(io: CliIo = processIo): Command {
  const segments = new Command('segments').description(
    'define segments and follow their backfill on a running Attune',
  );
  const client = (flags: ServerFlags): AdminClient => adminClientOf(flags, io);

  serverOptions(segments.command('create'))
    .description('create a segment from a JSON definition ({ name, condition, id?, description? })')
    .requiredOption('-f, --file <file>', 'the definition (see docs/conditions.md)')
    .action(async (flags: ServerFlags & { file: string }) => {
      const definition = readDefinition(flags.file);
      const created = await client(flags).request<SegmentView>(
        'POST',
        '/v1/segments',
        flags.file,
        definition,
      );
      io.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
      io.stderr.write(
        `created segment ${created.id} (version ${created.version}); follow its backfill with: attune segments backfill ${created.id}\n`,
      );
    });

  serverOptions(segments.command('list'))
    .description('list segments with their state and size')
    .option('--json', 'print JSON')
    .action(async (flags: ServerFlags & { json?: boolean }) => {
      const { segments: list } = await client(flags).request<SegmentList>(
        'GET',
        '/v1/segments',
        'listing segments',
      );
      if (flags.json) {
        io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      const rows = list.map((s) => [
        s.id,
        s.name,
        String(s.version),
        stateOf(s),
        s.status === null ? '' : formatCount(s.status.size),
      ]);
      io.stdout.write(table(['ID', 'NAME', 'VERSION', 'STATE', 'SIZE'], rows));
    });

  serverOptions(segments.command('backfill <id>'))
    .description(
      "follow a segment's backfill (profilesDone/profilesTotal, profiles/s) until it is ready",
    )
    .option('--interval <ms>', 'how often to ask the server', '500')
    .option('--timeout <seconds>', 'give up after this long (default: wait)')
    .action(async (id: string, flags: ServerFlags & { interval: string; timeout?: string }) => {
      const interval = positive(flags.interval, '--interval');
      const timeout = flags.timeout === undefined ? null : positive(flags.timeout, '--timeout');
      await followBackfill(client(flags), id, io, interval, timeout);
    });

  serverOptions(segments.command('delete <id>'))
    .description('delete a segment (refused while other segments refer to it)')
    .action(async (id: string, flags: ServerFlags) => {
      await client(flags).request('DELETE', `/v1/segments/${encodeURIComponent(id)}`, id);
      io.stderr.write(`deleted segment ${id}\n`);
    });

  return segments;
}

/** Polls the segment until the processor has its current version ready, drawing progress. */
async function followBackfill(
  client: AdminClient,
  id: string,
  io: CliIo,
  intervalMs: number,
  timeoutSeconds: number | null,
): Promise<void> {
  const line = new ProgressLine(io.stderr);
  const started = Date.now();
  // The first sample of the version being backfilled: the rate is measured from it.
  let first = null as { version: number; at: number; done: number } | null;
  for (;;) {
    const segment = await client.request<SegmentView>(
      'GET',
      `/v1/segments/${encodeURIComponent(id)}`,
      id,
    );
    const status = segment.status;
    const current = status !== null && status.version === segment.version;
    if (!current) {
      line.update(`waiting for the processor to pick up version ${segment.version} of ${id}…`);
    } else {
      const now = Date.now();
      if (first?.version !== status.version)
        first = { version: status.version, at: now, done: status.profilesDone };
      const seconds = (now - first.at) / 1000;
      const rate = seconds > 0 ? (status.profilesDone - first.done) / seconds : null;
      const ready = status.state === 'ready';
      const fraction =
        ready || status.profilesTotal === 0 ? 1 : status.profilesDone / status.profilesTotal;
      line.update(
        `${progressBar(fraction)}  ${formatCount(status.profilesDone)}/${formatCount(status.profilesTotal)} profiles` +
          (rate === null ? '' : `, ${formatCount(rate)} profiles/s`),
      );
      if (ready) {
        line.end();
        io.stdout.write(
          `${id} is ready (version ${status.version}): ${formatCount(status.size)} members\n`,
        );
        return;
      }
    }
    if (timeoutSeconds !== null && Date.now() - started >= timeoutSeconds * 1000) {
      line.end();
      throw new UsageError(
        `${id} is not ready after ${timeoutSeconds} s` +
          (current ? ` (${status.profilesDone}/${status.profilesTotal} profiles)` : ''),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function readDefinition(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new UsageError(`cannot read ${file}: ${code ?? message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

function stateOf(segment: SegmentView): string {
  const status = segment.status;
  if (status === null || status.version !== segment.version) return 'pending';
  if (status.state === 'ready') return 'ready';
  return `backfilling ${formatCount(status.profilesDone)}/${formatCount(status.profilesTotal)}`;
}

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number`);
  return n;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
