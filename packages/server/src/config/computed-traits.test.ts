import { rfmDefinitions } from '@attune/engine';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../platform/clock.js';
import { startTestApp } from '../testing/test-app.fixture.js';
import { computedTraitsOf } from './computed-traits.js';
import { ConfigError, loadConfig } from './config.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'attune-traits-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (content: unknown): string => {
  const file = join(dir, 'traits.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};
const load = (file: string) =>
  computedTraitsOf(loadConfig({ env: { ATTUNE_COMPUTED_TRAITS: file } }));

const definitions = [
  {
    name: 'big_orders_30d',
    function: 'count',
    event: 'Order Completed',
    where: [{ property: 'revenue', op: 'gte', value: 100 }],
    windowDays: 30,
  },
  {
    name: 'favourite_brands',
    function: 'distinct_count',
    event: 'Product Viewed',
    property: 'brand',
  },
  { name: 'last_coupon', function: 'last', event: 'Order Completed', property: 'coupon' },
];

describe('computed trait definitions from config', () => {
  it('are the built-in RFM aggregates without a file, and those plus the file with one', () => {
    expect(computedTraitsOf(loadConfig({ env: {} }))).toEqual(rfmDefinitions);
    expect(load(write(definitions))).toEqual([...rfmDefinitions, ...definitions]);
  });

  it.each([
    ['{not json', /cannot read/],
    [{ name: 'x' }, /\(top level\)/],
    [[{ name: 'x', function: 'median', event: 'E' }], /\/0\/function/],
    [[{ name: 'x', function: 'sum', event: 'E' }], /\/0\/property: sum needs a property/],
    [[{ name: 'orders_30d', function: 'count', event: 'E' }], /already defined/],
    [[{ name: '9lives', function: 'count', event: 'E' }], /\/0\/name/],
    [[{ name: 'x', function: 'count', event: 'E', windowDays: 0 }], /\/0\/windowDays/],
  ])('refuse a bad file %j', (content, message) => {
    const file = write(content);
    expect(() => load(file)).toThrow(ConfigError);
    expect(() => load(file)).toThrow(message);
  });

  it('are kept by the processor and shown on the profile', async () => {
    // The profile's 30-day window is evaluated at this clock's now.
    const clock = new ManualClock(Date.UTC(2026, 10, 20));
    const t = await startTestApp({ ATTUNE_COMPUTED_TRAITS: write(definitions) }, { clock });
    try {
      const at = (day: number) => `2026-11-${String(day).padStart(2, '0')}T10:00:00Z`;
      const batch = [
        {
          type: 'track',
          userId: 'u1',
          event: 'Product Viewed',
          properties: { brand: 'A' },
          timestamp: at(1),
        },
        {
          type: 'track',
          userId: 'u1',
          event: 'Product Viewed',
          properties: { brand: 'B' },
          timestamp: at(2),
        },
        {
          type: 'track',
          userId: 'u1',
          event: 'Product Viewed',
          properties: { brand: 'A' },
          timestamp: at(3),
        },
        {
          type: 'track',
          userId: 'u1',
          event: 'Order Completed',
          properties: { revenue: 150, coupon: 'X1' },
          timestamp: at(4),
        },
        {
          type: 'track',
          userId: 'u1',
          event: 'Order Completed',
          properties: { revenue: 20, coupon: 'Y2' },
          timestamp: at(5),
        },
        {
          type: 'track',
          userId: 'u1',
          event: 'Order Completed',
          properties: { revenue: 300 },
          timestamp: at(6),
        },
      ];
      const res = await t.app.http.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { authorization: t.basicAuth },
        payload: { batch },
      });
      expect(res.statusCode).toBe(200);
      await t.app.processor!.caughtUp(await t.app.eventLog.lastOffset());
      const profile = await t.app.http.inject({
        method: 'GET',
        url: '/v1/profiles/user_id:u1',
        headers: { authorization: t.bearerAdmin },
      });
      const computed = profile.json<{ computed: Record<string, unknown> }>().computed;
      expect(computed).toMatchObject({
        big_orders_30d: 2,
        favourite_brands: 2,
        last_coupon: 'Y2',
      });
    } finally {
      await t.close();
    }
  });
});
