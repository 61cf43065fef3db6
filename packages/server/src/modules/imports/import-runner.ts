import { mapRows, type CsvMapping, type Row } from '@attune/engine';
import { createHash } from 'node:crypto';
import { createWriteStream, statSync } from 'node:fs';
import { ingestLimits } from '@attune/contracts';
import type { IngestSink } from './ingest-sink.js';
import { readRecords } from './import-records.js';

export interface ImportOptions {
  file: string;
  format: 'csv' | 'jsonl';
  /** CSV only: how rows become messages. JSONL lines are Segment messages already. */
  mapping?: CsvMapping;
  encoding: BufferEncoding;
  /** Rejected rows are written here, one JSON line each: { line, reason, text }. */
  errorsFile: string;
  batchSize: number;
}

export interface ImportProgress {
  records: number;
  sent: number;
  rejected: number;
  bytes: number;
  totalBytes: number;
  recordsPerSecond: number;
}

interface Pending {
  message: Record<string, unknown>;
  line: number;
  text: string;
}

/**
 * Streams a CSV or JSONL file into Attune. Each message gets a messageId derived from its
 * line and text, so importing the same file again stores nothing new (dedup window).
 * Rows that cannot be mapped, and messages the server rejects, go to the errors file.
 */
export async function runImport(
  options: ImportOptions,
  sink: IngestSink,
  onProgress: (p: ImportProgress) => void,
): Promise<ImportProgress> {
  const totalBytes = statSync(options.file).size;
  const errors = createWriteStream(options.errorsFile);
  const started = performance.now();
  let bytes = 0;
  let records = 0;
  let sent = 0;
  let rejected = 0;
  let reportedAt = started;
  let batch: Pending[] = [];
  let batchBytes = 0;

  const progress = (): ImportProgress => ({
    records,
    sent,
    rejected,
    bytes,
    totalBytes,
    recordsPerSecond: records / Math.max(0.001, (performance.now() - started) / 1000),
  });
  const reject = (line: number, reason: string, text: string): void => {
    rejected++;
    errors.write(`${JSON.stringify({ line, reason, text })}\n`);
  };
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const current = batch;
    batch = [];
    batchBytes = 0;
    const refused = await sink.send(current.map((p) => p.message));
    for (const r of refused) {
      const p = current[r.index];
      if (p !== undefined) reject(p.line, `${r.code}: ${r.detail}`, p.text);
    }
    sent += current.length - refused.length;
    if (performance.now() - reportedAt > 500) {
      reportedAt = performance.now();
      onProgress(progress());
    }
  };
  const add = async (
    message: Record<string, unknown>,
    line: number,
    text: string,
  ): Promise<void> => {
    if (message['messageId'] === undefined)
      message['messageId'] =
        `imp-${createHash('sha1').update(`${line}\n${text}`).digest('hex').slice(0, 32)}`;
    const size = JSON.stringify(message).length;
    if (
      batch.length >= options.batchSize ||
      batchBytes + size > ingestLimits.maxBatchBytes - 16_384
    )
      await flush();
    batch.push({ message, line, text });
    batchBytes += size;
  };

  // Rows of one order arrive together; they are held until the order id changes.
  let group: { id: string; line: number; rows: Row[]; texts: string[] } | null = null;
  const flushGroup = async (): Promise<void> => {
    if (group === null || options.mapping === undefined) return;
    const { line, rows, texts } = group;
    group = null;
    const mapped = mapRows(rows, options.mapping);
    if (mapped.ok) await add(mapped.message, line, texts.join('\n'));
    else reject(line, mapped.reason, texts.join('\n'));
  };

  try {
    for await (const record of readRecords({ ...options, onBytes: (b) => (bytes = b) })) {
      records++;
      if (record.kind === 'json') {
        let message: unknown;
        try {
          message = JSON.parse(record.text);
        } catch {
          reject(record.line, 'invalid_json: the line is not JSON', record.text);
          continue;
        }
        if (typeof message !== 'object' || message === null || Array.isArray(message))
          reject(record.line, 'invalid_message: not an object', record.text);
        else await add(message as Record<string, unknown>, record.line, record.text);
        continue;
      }
      const mapping = options.mapping;
      if (mapping === undefined)
        throw new Error('CSV import needs a mapping (--mapping file.json)');
      if (mapping.order !== undefined) {
        const id = record.row[mapping.order.idColumn] ?? '';
        if (group !== null && group.id !== id) await flushGroup();
        if (group === null) group = { id, line: record.line, rows: [], texts: [] };
        group.rows.push(record.row);
        group.texts.push(record.text.trimEnd());
        continue;
      }
      const mapped = mapRows([record.row], mapping);
      if (mapped.ok) await add(mapped.message, record.line, record.text.trimEnd());
      else reject(record.line, mapped.reason, record.text.trimEnd());
    }
    await flushGroup();
    await flush();
  } finally {
    await new Promise<void>((resolve) => errors.end(resolve));
  }
  const done = progress();
  onProgress(done);
  return done;
}
