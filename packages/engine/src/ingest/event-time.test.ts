import { describe, expect, it } from 'vitest';
import { resolveEventTime } from './event-time.js';

const receivedAt = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('resolveEventTime', () => {
  it('corrects a client clock that runs an hour fast', () => {
    const hour = 3_600_000;
    const happened = receivedAt - 5_000; // 5 s before it reached us, on the true clock
    const time = resolveEventTime({
      receivedAt,
      originalTimestamp: happened + hour,
      sentAt: receivedAt - 100 + hour,
    });
    expect(time).toBe(happened + 100);
  });

  it('trusts the client timestamp when sentAt is absent', () => {
    expect(resolveEventTime({ receivedAt, sentAt: null, originalTimestamp: 42 })).toBe(42);
  });

  it('uses receivedAt when the client gave no timestamp', () => {
    expect(resolveEventTime({ receivedAt, sentAt: receivedAt - 9, originalTimestamp: null })).toBe(
      receivedAt,
    );
  });
});
