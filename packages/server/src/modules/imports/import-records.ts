import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Row } from '@attune/engine';

export type ImportRecord =
  | { kind: 'json'; line: number; text: string }
  | { kind: 'csv'; line: number; row: Row; text: string };

export interface RecordSourceOptions {
  file: string;
  format: 'csv' | 'jsonl';
  /** Text encoding of the file (e.g. latin1 for the UCI Online Retail export). */
  encoding: BufferEncoding;
  /** Called with bytes read so far, for progress. */
  onBytes?: (bytes: number) => void;
}

/** Streams a file's records one at a time: memory stays constant however large the file. */
export async function* readRecords(options: RecordSourceOptions): AsyncGenerator<ImportRecord> {
  const input = createReadStream(options.file);
  let bytes = 0;
  input.on('data', (chunk: Buffer | string) => {
    bytes += chunk.length;
    options.onBytes?.(bytes);
  });
  if (options.format === 'jsonl') {
    const lines = createInterface({
      input: input.setEncoding(options.encoding),
      crlfDelay: Infinity,
    });
    let line = 0;
    for await (const text of lines) {
      line++;
      if (text.trim() !== '') yield { kind: 'json', line, text };
    }
    return;
  }
  const parser = input.pipe(
    parse({
      columns: true,
      bom: true,
      encoding: options.encoding,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      raw: true,
    }),
  );
  for await (const record of parser as AsyncIterable<{
    record: Row;
    info: { lines: number };
    raw: string;
  }>) {
    yield { kind: 'csv', line: record.info.lines, row: record.record, text: record.raw };
  }
}
