import type { ComparisonOp, DurationSpec } from '@attune/contracts';
import { parseIsoTimestamp } from '../ingest/iso-timestamp.js';

const unitMs = { minutes: 60_000, hours: 3_600_000, days: 86_400_000, weeks: 604_800_000 };

export function durationMs(d: DurationSpec): number {
  return d.amount * unitMs[d.unit];
}

/** An instant as epoch ms: ISO-8601 text or a finite number; null otherwise. */
export function instantOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') return parseIsoTimestamp(value.trim());
  return null;
}

/** A number, or a string that is exactly one (CSV imports give "42"). */
function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function equal(actual: unknown, expected: unknown, caseInsensitive: boolean): boolean {
  if (typeof actual === 'string' && typeof expected === 'string') {
    return caseInsensitive ? actual.toLowerCase() === expected.toLowerCase() : actual === expected;
  }
  if (typeof actual === 'number' || typeof expected === 'number') {
    const a = numberOf(actual);
    return a !== null && a === numberOf(expected);
  }
  return actual === expected;
}

/** -1, 0, 1, or null when the two cannot be ordered (numbers with numbers, text with text). */
function order(actual: unknown, expected: unknown): number | null {
  const a = numberOf(actual);
  const b = numberOf(expected);
  if (a !== null && b !== null) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof actual === 'string' && typeof expected === 'string')
    return actual < expected ? -1 : actual > expected ? 1 : 0;
  return null;
}

export interface Comparison {
  op: ComparisonOp;
  value?: unknown;
  caseInsensitive?: boolean;
}

/**
 * Whether `actual` passes the comparison at instant `now`. A missing value (undefined or
 * null) passes only `not_exists`, `neq` and `not_in`: "plan is not pro" holds for a
 * profile without a plan. Arguments are assumed checked (`checkCondition`).
 */
export function compareValue(actual: unknown, c: Comparison, now: number): boolean {
  const missing = actual === undefined || actual === null;
  const ci = c.caseInsensitive === true;
  switch (c.op) {
    case 'exists':
      return !missing;
    case 'not_exists':
      return missing;
    case 'neq':
      return missing || !equal(actual, c.value, ci);
    case 'not_in':
      return missing || !(c.value as unknown[]).some((v) => equal(actual, v, ci));
    default:
      break;
  }
  if (missing) return false;
  switch (c.op) {
    case 'eq':
      return equal(actual, c.value, ci);
    case 'in':
      return (c.value as unknown[]).some((v) => equal(actual, v, ci));
    case 'gt': {
      const o = order(actual, c.value);
      return o !== null && o > 0;
    }
    case 'gte': {
      const o = order(actual, c.value);
      return o !== null && o >= 0;
    }
    case 'lt': {
      const o = order(actual, c.value);
      return o !== null && o < 0;
    }
    case 'lte': {
      const o = order(actual, c.value);
      return o !== null && o <= 0;
    }
    case 'between': {
      const [low, high] = c.value as [unknown, unknown];
      const lo = order(actual, low);
      const hi = order(actual, high);
      return lo !== null && hi !== null && lo >= 0 && hi <= 0;
    }
    case 'contains':
      if (Array.isArray(actual)) return actual.some((v) => equal(v, c.value, ci));
      if (typeof actual !== 'string' || typeof c.value !== 'string') return false;
      return ci ? actual.toLowerCase().includes(c.value.toLowerCase()) : actual.includes(c.value);
    case 'starts_with':
      if (typeof actual !== 'string' || typeof c.value !== 'string') return false;
      return ci
        ? actual.toLowerCase().startsWith(c.value.toLowerCase())
        : actual.startsWith(c.value);
    case 'before':
    case 'after': {
      const t = instantOf(actual);
      const limit = instantOf(c.value);
      if (t === null || limit === null) return false;
      return c.op === 'before' ? t < limit : t > limit;
    }
    case 'within_last': {
      const t = instantOf(actual);
      return t !== null && withinLast(t, durationMs(c.value as DurationSpec), now);
    }
  }
  return false;
}

/** In the last `span` ms before `now`: `now - span < t <= now`. */
export function withinLast(t: number, span: number, now: number): boolean {
  return t > now - span && t <= now;
}

/**
 * The next instant after `now` at which the comparison's result can change with no new
 * data: only `within_last` depends on time (a date enters, then leaves, the window).
 */
export function comparisonNextChange(actual: unknown, c: Comparison, now: number): number | null {
  if (c.op !== 'within_last') return null;
  const t = instantOf(actual);
  if (t === null) return null;
  if (t > now) return t;
  const leaves = t + durationMs(c.value as DurationSpec);
  return leaves > now ? leaves : null;
}

/**
 * The value at a path: the whole key first (trait names may contain dots), then by dots.
 * Own keys only: a trait `constructor` or `toString` must not "exist" on every profile
 * through Object.prototype.
 */
export function valueAt(source: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(source, path)) return source[path];
  let current: unknown = source;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, part))
      return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Keys an object or array inherits: reading one by plain indexing could see the prototype's. */
/** Whether an object or an array inherits this key (so plain indexing could read a prototype's). */
export const inheritedKey = (key: string): boolean =>
  key in Object.prototype || key in Array.prototype;

/**
 * `valueAt` for one path, split once: the streaming path reads the same paths millions of
 * times. Plain indexing where no object or array could inherit the key (the own-key check
 * is then redundant, and it is the slow part); `valueAt`'s own-key walk otherwise.
 */
export function pathReader(path: string): (source: Readonly<Record<string, unknown>>) => unknown {
  const parts = path.split('.');
  if ([path, ...parts].some(inheritedKey)) return (source) => valueAt(source, path);
  if (parts.length === 1) return (source) => source[path];
  return (source) => {
    const whole = source[path];
    if (whole !== undefined) return whole;
    let current: unknown = source;
    for (let i = 0; i < parts.length; i++) {
      if (typeof current !== 'object' || current === null) return undefined;
      current = (current as Record<string, unknown>)[parts[i] as string];
    }
    return current;
  };
}

const isMissing = (v: unknown) => v === undefined || v === null;

/**
 * `compareValue` for one comparison, specialized once: the common cases (text equality and
 * membership, numeric thresholds, prefixes) skip the general dispatch, lower-case their
 * values once and look text up in a Set. Anything else defers to `compareValue`, whose
 * results these always equal (tests check both).
 */
export function comparisonTester(c: Comparison): (actual: unknown, now: number) => boolean {
  const ci = c.caseInsensitive === true;
  const general = (actual: unknown, now: number) => compareValue(actual, c, now);
  const value = c.value;
  switch (c.op) {
    case 'eq':
    case 'neq': {
      if (typeof value !== 'string') break;
      const wanted = ci ? value.toLowerCase() : value;
      const eq = (a: unknown): boolean =>
        typeof a === 'string'
          ? (ci ? a.toLowerCase() : a) === wanted
          : !isMissing(a) && equal(a, value, ci);
      return c.op === 'eq' ? (a) => eq(a) : (a) => isMissing(a) || !eq(a);
    }
    case 'in':
    case 'not_in': {
      const values = value as unknown[];
      if (!values.every((v) => typeof v === 'string')) break;
      const set = new Set(values.map((v) => (ci ? v.toLowerCase() : v)));
      const has = (a: unknown): boolean =>
        typeof a === 'string'
          ? set.has(ci ? a.toLowerCase() : a)
          : !isMissing(a) && values.some((v) => equal(a, v, ci));
      return c.op === 'in' ? (a) => has(a) : (a) => isMissing(a) || !has(a);
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const limit = typeof value === 'number' ? value : null;
      if (limit === null) break;
      const test =
        c.op === 'gt'
          ? (n: number) => n > limit
          : c.op === 'gte'
            ? (n: number) => n >= limit
            : c.op === 'lt'
              ? (n: number) => n < limit
              : (n: number) => n <= limit;
      return (a, now) => (typeof a === 'number' && Number.isFinite(a) ? test(a) : general(a, now));
    }
    case 'starts_with': {
      if (typeof value !== 'string') break;
      const prefix = ci ? value.toLowerCase() : value;
      return (a) => typeof a === 'string' && (ci ? a.toLowerCase() : a).startsWith(prefix);
    }
    default:
      break;
  }
  return general;
}
