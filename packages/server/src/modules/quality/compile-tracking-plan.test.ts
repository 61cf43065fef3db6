import { describe, expect, it } from 'vitest';
import { compileTrackingPlan } from './compile-tracking-plan.js';

describe('compileTrackingPlan', () => {
  it('compiles draft-07 schemas with formats', () => {
    const result = compileTrackingPlan({
      mode: 'flag',
      events: {
        'Order Completed': {
          type: 'object',
          required: ['revenue'],
          properties: { revenue: { type: 'number' }, email: { type: 'string', format: 'email' } },
        },
      },
      identifyTraits: true,
    });
    if (!result.ok) throw new Error(result.detail);
    const validate = result.plan.events.get('Order Completed')!;
    expect(validate({ revenue: 10, email: 'ann@example.com' })).toBe(true);
    expect(validate({ revenue: 10, email: 'not an email' })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ instancePath: '/email', keyword: 'format' });
    expect(result.plan.identifyTraits?.({ anything: 1 })).toBe(true);
  });

  it.each([
    ['an unknown keyword', { type: 'object', requried: ['x'] }],
    ['an unknown type', { type: 'money' }],
    ['a reference to nowhere', { $ref: '#/definitions/missing' }],
    ['a broken pattern', { type: 'string', pattern: '([' }],
  ])('names the schema with %s', (_name, schema) => {
    const result = compileTrackingPlan({ mode: 'reject', events: { ok: {}, 'a/b': schema } });
    expect(result).toMatchObject({ ok: false, field: '/events/a~1b' });
  });

  it('accepts the same $id in two plans (one Ajv per plan)', () => {
    const plan = { mode: 'flag' as const, events: { X: { $id: 'https://example.com/x' } } };
    expect(compileTrackingPlan(plan).ok).toBe(true);
    expect(compileTrackingPlan(plan).ok).toBe(true);
  });

  // Found by the hostile-input fuzz test: Ajv compiled it, storing the plan overflowed the
  // stack and the PUT answered 500.
  it('refuses a schema nested too deeply to be stored, naming it', () => {
    const deep = JSON.parse(`${'['.repeat(20_000)}1${']'.repeat(20_000)}`) as unknown;
    const result = compileTrackingPlan({ mode: 'flag', events: { Clicked: { default: deep } } });
    expect(result).toMatchObject({ ok: false, field: '/events/Clicked' });
  });
});
