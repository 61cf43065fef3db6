import type { CsvMapping } from '@attune/engine';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { environment } from '../config/environment.js';
import { HttpIngestSink } from '../modules/imports/ingest-sink.js';
import { runImport, type ImportProgress } from '../modules/imports/import-runner.js';
import { UsageError } from './usage-error.js';

interface ImportFlags {
  format?: string;
  mapping?: string;
  encoding?: string;
  errors?: string;
  url: string;
  writeKey?: string;
  batchSize: string;
}

/** `attune import <file>`: streams a CSV or JSONL file into a running Attune. */
export async function importCommand(file: string, flags: ImportFlags): Promise<void> {
  const format = flags.format ?? (extname(file).toLowerCase() === '.csv' ? 'csv' : 'jsonl');
  if (format !== 'csv' && format !== 'jsonl') throw new UsageError('--format must be csv or jsonl');
  const writeKey = flags.writeKey ?? environment()['ATTUNE_WRITE_KEY'];
  if (writeKey === undefined || writeKey === '')
    throw new UsageError('give a write key: --write-key or ATTUNE_WRITE_KEY');
  let mapping: CsvMapping | undefined;
  if (flags.mapping !== undefined)
    mapping = JSON.parse(readFileSync(flags.mapping, 'utf8')) as CsvMapping;
  if (format === 'csv' && mapping === undefined)
    throw new UsageError('a CSV import needs --mapping <file.json> (see README, "Importing")');
  const encoding = (flags.encoding ?? 'utf8') as BufferEncoding;
  if (!Buffer.isEncoding(encoding)) throw new UsageError(`unknown --encoding ${flags.encoding}`);
  const errorsFile = flags.errors ?? `${file}.errors.jsonl`;

  const show = (p: ImportProgress): void => {
    const percent = p.totalBytes === 0 ? 100 : (100 * p.bytes) / p.totalBytes;
    const bar = '#'.repeat(Math.round(percent / 5)).padEnd(20, '.');
    process.stderr.write(
      `\r[${bar}] ${percent.toFixed(0)}%  ${p.records.toLocaleString('en-US')} rows, ${Math.round(p.recordsPerSecond).toLocaleString('en-US')} rows/s, ${p.sent.toLocaleString('en-US')} sent, ${p.rejected.toLocaleString('en-US')} rejected   `,
    );
  };
  const result = await runImport(
    {
      file,
      format,
      ...(mapping === undefined ? {} : { mapping }),
      encoding,
      errorsFile,
      batchSize: Number(flags.batchSize),
    },
    new HttpIngestSink(flags.url, writeKey),
    show,
  );
  process.stderr.write(
    `\ndone: ${result.sent.toLocaleString('en-US')} messages accepted (already imported ones are deduplicated)`,
  );
  process.stderr.write(
    result.rejected > 0
      ? `, ${result.rejected.toLocaleString('en-US')} rejected — see ${errorsFile}\n`
      : ', none rejected\n',
  );
}
