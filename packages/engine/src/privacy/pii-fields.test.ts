import { describe, expect, it } from 'vitest';
import { hasPii, piiPolicy, rewriteMessagePii, rewriteTraitsPii } from './pii-fields.js';

const mark = (leaf: unknown) => `<${String(leaf)}>`;

describe('rewriteMessagePii', () => {
  it('rewrites PII keys at any depth in traits, context.traits and properties, and context.ip', () => {
    const message = {
      type: 'identify',
      userId: 'u1',
      traits: {
        email: 'ada@example.com',
        first_name: 'Ada',
        plan: 'pro',
        address: { city: 'London', postalCode: 'N1', geo: [51.5, -0.1] },
      },
      context: { ip: '10.1.2.3', traits: { Phone: '+14155550100' }, locale: 'en' },
      properties: { shipping: [{ email: 'b@example.com', method: 'post' }] },
    };
    const out = rewriteMessagePii(message, piiPolicy(), mark);
    expect(out).toEqual({
      type: 'identify',
      userId: 'u1',
      traits: {
        email: '<ada@example.com>',
        first_name: '<Ada>',
        plan: 'pro',
        address: { city: '<London>', postalCode: '<N1>', geo: ['<51.5>', '<-0.1>'] },
      },
      context: { ip: '<10.1.2.3>', traits: { Phone: '<+14155550100>' }, locale: 'en' },
      properties: { shipping: [{ email: '<b@example.com>', method: 'post' }] },
    });
    // The input is untouched; parts without PII are shared.
    expect(message.traits.email).toBe('ada@example.com');
    expect(hasPii(message, piiPolicy())).toBe(true);
  });

  it('returns the same object when there is no PII', () => {
    const message = { type: 'track', event: 'Viewed', properties: { sku: 'x' }, context: {} };
    expect(rewriteMessagePii(message, piiPolicy(), mark)).toBe(message);
    expect(hasPii(message, piiPolicy())).toBe(false);
  });

  it('treats name in properties as a product or page name, unless configured', () => {
    const message = {
      traits: { name: 'Ada Lovelace' },
      context: { traits: { name: 'Ada Lovelace' } },
      properties: {
        name: 'Trail Tent',
        products: [{ name: 'Stove', email: 'a@b.c' }],
        shipping: { name: 'Ada Lovelace' },
      },
    };
    expect(rewriteMessagePii(message, piiPolicy(), mark)).toEqual({
      traits: { name: '<Ada Lovelace>' },
      context: { traits: { name: '<Ada Lovelace>' } },
      properties: {
        name: 'Trail Tent',
        products: [{ name: 'Stove', email: '<a@b.c>' }],
        shipping: { name: '<Ada Lovelace>' },
      },
    });
    const strict = rewriteMessagePii(message, piiPolicy(['name']), mark);
    expect(strict['properties']).toEqual({
      name: '<Trail Tent>',
      products: [{ name: '<Stove>', email: '<a@b.c>' }],
      shipping: { name: '<Ada Lovelace>' },
    });
  });

  it('adds configured keys and exact paths', () => {
    const policy = piiPolicy(['ssn', 'context.device.advertisingId']);
    const out = rewriteMessagePii(
      {
        traits: { ssn: '123' },
        context: { device: { advertisingId: 'ad-1', model: 'x' } },
        properties: { nested: { SSN: '9' } },
      },
      policy,
      mark,
    );
    expect(out).toEqual({
      traits: { ssn: '<123>' },
      context: { device: { advertisingId: '<ad-1>', model: 'x' } },
      properties: { nested: { SSN: '<9>' } },
    });
  });

  it('keeps __proto__ keys as data', () => {
    const message = JSON.parse(
      '{"traits":{"__proto__":{"email":"x@y.z"},"email":"a@b.c"}}',
    ) as Record<string, unknown>;
    const out = rewriteMessagePii(message, piiPolicy(), mark);
    const traits = out['traits'] as Record<string, unknown>;
    expect(Object.getPrototypeOf(traits)).toBe(Object.prototype);
    expect(traits['email']).toBe('<a@b.c>');
    expect(({} as Record<string, unknown>)['email']).toBeUndefined();
  });

  it('rewrites profile traits the same way', () => {
    expect(rewriteTraitsPii({ email: 'a@b.c', plan: 'pro' }, piiPolicy(), mark)).toEqual({
      email: '<a@b.c>',
      plan: 'pro',
    });
  });
});
