import type { RejectedLine } from '@attune/contracts';
import { createHash } from 'node:crypto';

/** Up to `size` messages of a JSONL upload, with what is needed to store and report them. */
export interface LineChunk {
  items: Record<string, unknown>[];
  /** Line i's text to store as sent, or null when a messageId was added to it. */
  texts: (string | null)[];
  /** 1-based line number of item i. */
  lines: number[];
  /** Lines of this chunk that are not JSON objects. */
  rejected: RejectedLine[];
}

/**
 * Step 3 for JSONL: one Segment message per line, in chunks of at most `size` messages
 * (blank lines skipped, a line that is not a JSON object rejected with its number). A
 * message without `messageId` gets one derived from the source and the line's text, so
 * uploading the same file again stores nothing new.
 */
export function* splitJsonLines(raw: string, sourceId: string, size: number): Generator<LineChunk> {
  let chunk = emptyChunk();
  let start = raw.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let line = 1; start <= raw.length; line++) {
    let end = raw.indexOf('\n', start);
    if (end < 0) end = raw.length;
    const text = raw.slice(start, end).trim();
    start = end + 1;
    if (text === '') continue;
    const parsed = parseLine(text, line);
    if ('code' in parsed) {
      chunk.rejected.push(parsed);
    } else {
      const added = parsed.message['messageId'] === undefined;
      if (added) parsed.message['messageId'] = importMessageId(sourceId, text);
      chunk.items.push(parsed.message);
      chunk.texts.push(added ? null : text);
      chunk.lines.push(line);
    }
    if (chunk.items.length >= size) {
      yield chunk;
      chunk = emptyChunk();
    }
  }
  if (chunk.items.length > 0 || chunk.rejected.length > 0) yield chunk;
}

/** The messageId of an imported line that has none: stable across uploads of the line. */
export function importMessageId(sourceId: string, text: string): string {
  return `imp-${createHash('sha256').update(`${sourceId}\n${text}`).digest('hex').slice(0, 32)}`;
}

function parseLine(
  text: string,
  line: number,
): { message: Record<string, unknown> } | RejectedLine {
  const field = `/line/${line}`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : 'unreadable';
    return {
      line,
      code: 'invalid_json',
      field,
      detail: `Line ${line} is not valid JSON: ${reason}`,
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      line,
      code: 'invalid_message',
      field,
      detail: `Line ${line} must be a JSON object (one Segment message)`,
    };
  }
  return { message: value as Record<string, unknown> };
}

function emptyChunk(): LineChunk {
  return { items: [], texts: [], lines: [], rejected: [] };
}
