import { own, setOwn } from './own-keys.js';

/** Per event name: how many times, and when first and last (event time). */
export type Activity = Record<string, { count: number; first: number; last: number }>;

export function recordActivity(activity: Activity, name: string, time: number): void {
  // Event names are the sender's: `__proto__` or `constructor` must stay plain names.
  const entry = own(activity, name);
  if (entry === undefined) setOwn(activity, name, { count: 1, first: time, last: time });
  else {
    entry.count++;
    entry.first = Math.min(entry.first, time);
    entry.last = Math.max(entry.last, time);
  }
}

export function mergeActivity(into: Activity, from: Activity): void {
  for (const [name, other] of Object.entries(from)) {
    const entry = own(into, name);
    if (entry === undefined) setOwn(into, name, { ...other });
    else {
      entry.count += other.count;
      entry.first = Math.min(entry.first, other.first);
      entry.last = Math.max(entry.last, other.last);
    }
  }
}
