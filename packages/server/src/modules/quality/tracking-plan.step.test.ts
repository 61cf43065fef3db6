import type { TrackingPlan } from '@attune/contracts';
import { describe, expect, it } from 'vitest';
import { normalizeMessage, type PendingEvent } from '../ingestion/steps/normalize-message.js';
import { validateMessage } from '../ingestion/steps/validate-message.js';
import { compileTrackingPlan } from './compile-tracking-plan.js';
import { trackingPlanStep } from './tracking-plan.step.js';

const orderSchema = {
  type: 'object',
  required: ['revenue', 'currency'],
  properties: {
    revenue: { type: 'number', minimum: 0 },
    currency: { type: 'string', minLength: 3, maxLength: 3 },
    products: {
      type: 'array',
      items: { type: 'object', properties: { price: { type: 'number' } } },
    },
  },
};

function stepFor(mode: TrackingPlan['mode']) {
  const compiled = compileTrackingPlan({
    mode,
    events: { 'Order Completed': orderSchema },
    identifyTraits: {
      type: 'object',
      properties: { email: { type: 'string', format: 'email' } },
    },
    pages: { Pricing: { type: 'object', required: ['plan'] } },
  });
  if (!compiled.ok) throw new Error(compiled.detail);
  return trackingPlanStep({ planFor: (source) => (source === 'web' ? compiled.plan : undefined) });
}

function pending(message: Record<string, unknown>, sourceId = 'web'): PendingEvent {
  const valid = validateMessage({ userId: 'u', ...message }, '', null);
  if (valid.kind !== 'ok') throw new Error('test message should be valid');
  const normalized = normalizeMessage(valid.value, null, '', {
    sourceId,
    receivedAt: 0,
    batchSentAt: null,
    defaults: {},
    newMessageId: () => 'm',
  });
  if (normalized.kind !== 'ok') throw new Error('test message should normalize');
  return normalized.value;
}

const order = (properties: Record<string, unknown>) =>
  pending({ type: 'track', event: 'Order Completed', properties });

describe('trackingPlanStep', () => {
  it('passes messages of a source without a plan untouched', () => {
    const event = pending({ type: 'track', event: 'Order Completed' }, 'app');
    expect(stepFor('reject')(event, '')).toEqual({ kind: 'ok', value: event });
  });

  it('counts a valid message as conforming', () => {
    const outcome = stepFor('reject')(order({ revenue: 5, currency: 'EUR' }), '');
    expect(outcome).toMatchObject({
      kind: 'ok',
      value: { assessment: { outcome: 'accepted', reason: 'conforms', issues: [] } },
    });
  });

  it('lets events without a schema through as unplanned, and ignores group/alias', () => {
    const step = stepFor('reject');
    expect(step(pending({ type: 'track', event: 'Signed Up' }), '')).toMatchObject({
      kind: 'ok',
      value: { assessment: { outcome: 'accepted', reason: 'unplanned' } },
    });
    const group = pending({ type: 'group', groupId: 'g' });
    expect(step(group, '')).toEqual({ kind: 'ok', value: group });
  });

  it('flags a violating message in flag mode, with each field at fault', () => {
    const event = order({ revenue: '12', products: [{ price: 1 }, { price: 'x' }] });
    const outcome = stepFor('flag')(event, '/batch/0');
    expect(outcome).toMatchObject({
      kind: 'ok',
      value: {
        assessment: {
          outcome: 'flagged',
          reason: 'tracking_plan_violation',
          issues: [
            { field: '/properties/currency', problem: 'missing' },
            { field: '/properties/revenue', problem: 'invalid' },
            { field: '/properties/products/*/price', problem: 'invalid' },
          ],
        },
      },
    });
    // Flagging never changes what is stored.
    if (outcome.kind === 'ok') expect(outcome.value.event.message).toBe(event.event.message);
  });

  it('rejects in reject mode with the pointer of the first failing field', () => {
    const outcome = stepFor('reject')(order({ revenue: -1, currency: 'EUR' }), '/batch/3');
    expect(outcome).toMatchObject({
      kind: 'reject',
      code: 'tracking_plan_violation',
      field: '/batch/3/properties/revenue',
      issues: [{ field: '/properties/revenue', problem: 'invalid' }],
    });
    if (outcome.kind === 'reject') expect(outcome.detail).toMatch(/Order Completed.*revenue/);
  });

  it('names a missing required field', () => {
    expect(stepFor('reject')(order({ revenue: 1 }), '')).toMatchObject({
      kind: 'reject',
      field: '/properties/currency',
    });
  });

  it('checks identify traits and page properties, treating absent ones as empty', () => {
    const step = stepFor('reject');
    expect(step(pending({ type: 'identify', traits: { email: 'nope' } }), '')).toMatchObject({
      kind: 'reject',
      field: '/traits/email',
    });
    expect(step(pending({ type: 'identify' }), '')).toMatchObject({ kind: 'ok' });
    expect(step(pending({ type: 'page', name: 'Pricing' }), '')).toMatchObject({
      kind: 'reject',
      field: '/properties/plan',
    });
  });
});
