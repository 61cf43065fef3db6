import { describe, expect, it } from 'vitest';
import { hourOf, hourRange } from './hour-bucket.js';
import { buildQualityReport, type OutcomeRow } from './quality-report.js';

const from = Date.UTC(2026, 10, 23, 10);
const to = Date.UTC(2026, 10, 23, 12);
const row = (
  event: string,
  outcome: OutcomeRow['outcome'],
  reason: string,
  count: number,
  sourceId = 'web',
): OutcomeRow => ({
  sourceId,
  type: event === '' ? 'identify' : 'track',
  event,
  outcome,
  reason,
  count,
});

describe('buildQualityReport', () => {
  const report = buildQualityReport({
    from,
    to,
    source: null,
    outcomes: [
      row('Order Completed', 'accepted', 'conforms', 6),
      row('Order Completed', 'flagged', 'tracking_plan_violation', 3),
      row('Order Completed', 'rejected', 'tracking_plan_violation', 1),
      row('Order Completed', 'deduplicated', '', 2),
      row('Signed Up', 'accepted', 'unplanned', 4),
      row('', 'accepted', '', 5, 'app'),
      {
        sourceId: 'unknown',
        type: '',
        event: '',
        outcome: 'rejected',
        reason: 'invalid_write_key',
        count: 2,
      },
    ],
    fields: [
      {
        sourceId: 'web',
        type: 'track',
        event: 'Order Completed',
        field: '/properties/revenue',
        missing: 1,
        invalid: 3,
      },
    ],
    identity: {
      conflicts: [
        { reason: 'limit:email', count: 1 },
        { reason: 'limit:user_id', count: 2 },
      ],
      invalidIdentifiers: [],
    },
  });

  it('totals by outcome, source and event', () => {
    expect(report.totals).toEqual({
      accepted: 15,
      flagged: 3,
      rejected: 3,
      deduplicated: 2,
      dropped: 0,
    });
    expect(report.bySource.map((s) => [s.source, s.accepted, s.rejected])).toEqual([
      ['app', 5, 0],
      ['unknown', 0, 2],
      ['web', 10, 1],
    ]);
    expect(report.byEvent[0]).toEqual({
      source: 'web',
      type: 'track',
      event: 'Order Completed',
      accepted: 6,
      flagged: 3,
      rejected: 1,
      deduplicated: 2,
      dropped: 0,
    });
    expect(report.byEvent.find((e) => e.source === 'unknown')).toMatchObject({
      type: null,
      event: null,
    });
  });

  it('rates fields among the messages checked against the plan (not duplicates, not unplanned)', () => {
    expect(report.fields).toEqual([
      {
        source: 'web',
        type: 'track',
        event: 'Order Completed',
        field: '/properties/revenue',
        checked: 10,
        missing: 1,
        invalid: 3,
        missingRate: 0.1,
        invalidRate: 0.3,
      },
    ]);
  });

  it('lists reasons by count and identity conflicts', () => {
    expect(report.byReason[0]).toEqual({ outcome: 'accepted', reason: 'conforms', count: 6 });
    expect(report.identity).toMatchObject({
      conflicts: 3,
      conflictsByReason: [
        { reason: 'limit:user_id', count: 2 },
        { reason: 'limit:email', count: 1 },
      ],
      invalidIdentifiers: 0,
    });
    expect(report.from).toBe('2026-11-23T10:00:00.000Z');
  });
});

describe('hour buckets', () => {
  it('rounds a range out to whole hours', () => {
    expect(hourOf(Date.UTC(2026, 0, 1, 5, 59, 59, 999))).toBe(Date.UTC(2026, 0, 1, 5));
    expect(hourRange(Date.UTC(2026, 0, 1, 5, 30), Date.UTC(2026, 0, 1, 7, 1))).toEqual({
      from: Date.UTC(2026, 0, 1, 5),
      to: Date.UTC(2026, 0, 1, 8),
    });
    expect(hourRange(Date.UTC(2026, 0, 1, 5), Date.UTC(2026, 0, 1, 7)).to).toBe(
      Date.UTC(2026, 0, 1, 7),
    );
  });
});
