import { describe, expect, it } from 'vitest';
import { applyBatchDefaults } from './batch-defaults.js';

describe('applyBatchDefaults', () => {
  it('merges batch context under the message context, message keys winning', () => {
    const merged = applyBatchDefaults(
      { type: 'track', context: { ip: '10.0.0.1' } },
      { context: { ip: '1.1.1.1', locale: 'en-GB' }, integrations: { All: false } },
    );
    expect(merged).toEqual({
      type: 'track',
      context: { ip: '10.0.0.1', locale: 'en-GB' },
      integrations: { All: false },
    });
  });

  it('returns the same object when the batch has no defaults', () => {
    const message = { type: 'identify' };
    expect(applyBatchDefaults(message, {})).toBe(message);
  });

  it('does not mutate the input', () => {
    const message = { type: 'page', integrations: { Mixpanel: true } };
    applyBatchDefaults(message, { integrations: { All: true } });
    expect(message).toEqual({ type: 'page', integrations: { Mixpanel: true } });
  });
});
