import { describe, expect, it } from 'vitest';
import { importMessageId, splitJsonLines } from './split-lines.js';

describe('splitJsonLines', () => {
  it('reads one message per line, skipping blank lines and counting lines from 1', () => {
    const raw = '\ufeff{"type":"track","messageId":"m1"}\r\n\n  \n{"type":"identify"}\n';
    const chunks = [...splitJsonLines(raw, 'web', 100)];
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.lines).toEqual([1, 4]);
    expect(chunks[0]!.texts).toEqual(['{"type":"track","messageId":"m1"}', null]);
    expect(chunks[0]!.items[1]).toEqual({
      type: 'identify',
      messageId: importMessageId('web', '{"type":"identify"}'),
    });
  });

  it('rejects lines that are not JSON objects, with their number', () => {
    const [chunk] = [...splitJsonLines('{"a":1}\n{oops\n[1]\n', 'web', 100)];
    expect(chunk!.rejected).toEqual([
      expect.objectContaining({ line: 2, code: 'invalid_json', field: '/line/2' }),
      expect.objectContaining({ line: 3, code: 'invalid_message', field: '/line/3' }),
    ]);
    expect(chunk!.items).toHaveLength(1);
  });

  it('cuts chunks of at most the given size', () => {
    const raw = Array.from({ length: 5 }, (_, i) => JSON.stringify({ n: i })).join('\n');
    expect([...splitJsonLines(raw, 'web', 2)].map((c) => c.lines)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('derives the same messageId for the same line and source only', () => {
    expect(importMessageId('web', '{"a":1}')).toBe(importMessageId('web', '{"a":1}'));
    expect(importMessageId('web', '{"a":1}')).not.toBe(importMessageId('app', '{"a":1}'));
    expect(importMessageId('web', '{"a":1}')).not.toBe(importMessageId('web', '{"a":2}'));
  });
});
