import { describe, expect, it } from 'vitest';
import { mergeActivity, recordActivity, type Activity } from './activity.js';

describe('activity', () => {
  it('counts events named like Object.prototype members as plain names, polluting nothing', () => {
    const activity: Activity = {};
    for (const name of ['__proto__', 'constructor', 'toString', 'count'])
      recordActivity(activity, name, 5);
    recordActivity(activity, '__proto__', 9);
    expect(Object.getPrototypeOf(activity)).toBe(Object.prototype);
    expect(Object.keys(activity)).toEqual(['__proto__', 'constructor', 'toString', 'count']);
    expect(Object.getOwnPropertyDescriptor(activity, '__proto__')?.value).toEqual({
      count: 2,
      first: 5,
      last: 9,
    });
    expect(activity['constructor']).toEqual({ count: 1, first: 5, last: 5 });
    expect(({} as Record<string, unknown>)['count']).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'count')).toBe(false);

    // Through JSON, as stored: the names come back as own keys, and merge as such.
    const into = JSON.parse(JSON.stringify(activity)) as Activity;
    mergeActivity(into, activity);
    expect(Object.getOwnPropertyDescriptor(into, '__proto__')?.value).toMatchObject({ count: 4 });
    const fresh: Activity = {};
    mergeActivity(fresh, into);
    expect(Object.getPrototypeOf(fresh)).toBe(Object.prototype);
    expect(Object.keys(fresh)).toHaveLength(4);
  });
});
