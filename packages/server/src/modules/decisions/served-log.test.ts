import { describe, expect, it } from 'vitest';
import type { ServedDecision } from './decide.service.js';
import { ServedLog } from './served-log.js';

const served = (id: string, userId = 'ann'): ServedDecision => ({
  decision: {
    placement: 'hero',
    variantId: 'v',
    payload: null,
    rendered: null,
    ruleId: null,
    reason: 'no_rule',
    decisionId: id,
    fallback: true,
  },
  placementVersion: 3,
  userId,
  anonymousId: undefined,
  context: { page: { path: '/' } },
  at: Date.parse('2026-11-23T10:00:00Z'),
});

function recorder() {
  const calls: { writeKey: string; batch: Record<string, unknown>[] }[] = [];
  const log = new ServedLog({
    ingest: async (writeKey, messages) => {
      // As ingestion would see them: plain JSON.
      calls.push({ writeKey, batch: JSON.parse(JSON.stringify(messages)) as [] });
    },
    onError: (error) => {
      throw error;
    },
    maxBatch: 3,
    delayMs: 5,
  });
  return { log, calls };
}

describe('ServedLog', () => {
  it('gathers decisions of a source into one batch of Decision Served messages', async () => {
    const { log, calls } = recorder();
    log.add([served('d1')], 'wk_a');
    log.add([served('d2', 'bob')], 'wk_a');
    log.add([served('d3')], 'wk_b');
    expect(calls).toEqual([]);
    await log.flush();
    expect(calls.map((c) => [c.writeKey, c.batch.map((m) => m['messageId'])])).toEqual([
      ['wk_a', ['d1', 'd2']],
      ['wk_b', ['d3']],
    ]);
    expect(calls[0]?.batch[1]).toEqual({
      type: 'track',
      event: 'Decision Served',
      messageId: 'd2',
      userId: 'bob',
      timestamp: '2026-11-23T10:00:00.000Z',
      properties: {
        decisionId: 'd2',
        placement: 'hero',
        placementVersion: 3,
        variantId: 'v',
        ruleId: null,
        reason: 'no_rule',
        fallback: true,
      },
      context: { page: { path: '/' } },
    });
  });

  it('sends a full batch at once, and the rest after the delay', async () => {
    const { log, calls } = recorder();
    log.add([served('d1'), served('d2'), served('d3'), served('d4')], 'wk_a');
    await Promise.resolve();
    expect(calls.map((c) => c.batch.length)).toEqual([4]);
    log.add([served('d5')], 'wk_a');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(calls.map((c) => c.batch.length)).toEqual([4, 1]);
  });
});
