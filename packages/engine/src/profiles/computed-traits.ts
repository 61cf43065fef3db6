/**
 * Computed traits, kept incrementally from events and evaluated at read time (windows are
 * relative to "now"). A definition aggregates one event's property:
 *   { name: 'revenue_90d', function: 'sum', event: 'Order Completed',
 *     property: ['revenue', 'total'], windowDays: 90 }
 * `property` is a path in `properties` (dots for nesting) or a list of fallbacks; `where`
 * filters on properties. State is plain JSON so it is stored with the profile.
 */
export type AggregateFunction =
  'count' | 'sum' | 'min' | 'max' | 'first' | 'last' | 'distinct_count';

export interface PropertyCondition {
  property: string;
  op: 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'exists';
  value?: unknown;
}

export interface ComputedTraitDefinition {
  name: string;
  function: AggregateFunction;
  event: string;
  property?: string | string[];
  where?: PropertyCondition[];
  windowDays?: number;
}

/** [event time, value] */
type Entry = [number, unknown];

export interface AggregateState {
  /** Windowed definitions keep their entries inside the window. */
  entries?: Entry[];
  count?: number;
  sum?: number;
  min?: number;
  max?: number;
  first?: Entry;
  last?: Entry;
  distinct?: unknown[];
}

export type ComputedState = Record<string, AggregateState>;

const day = 86_400_000;
/** distinct_count stops growing past this many values (it then reports a lower bound). */
const maxDistinct = 10_000;

/** Folds one event into the state of every definition it matches. */
export function updateComputed(
  state: ComputedState,
  definitions: readonly ComputedTraitDefinition[],
  eventName: string,
  properties: Record<string, unknown>,
  time: number,
): void {
  for (const def of definitions) {
    if (def.event !== eventName || !matches(def.where, properties)) continue;
    const value = def.function === 'count' ? 1 : propertyValue(properties, def.property);
    if (value === undefined || (needsNumber(def.function) && typeof value !== 'number')) continue;
    const s = (state[def.name] ??= {});
    if (def.windowDays !== undefined) {
      const entries = (s.entries ??= []);
      entries.push([time, value]);
      const newest = entries.reduce((m, e) => Math.max(m, e[0]), time);
      s.entries = entries.filter((e) => e[0] >= newest - def.windowDays! * day);
      continue;
    }
    fold(s, def.function, time, value);
  }
}

/** Combines a merged profile's state into the survivor's. */
export function mergeComputed(
  into: ComputedState,
  from: ComputedState,
  definitions: readonly ComputedTraitDefinition[],
): void {
  for (const def of definitions) {
    const other = from[def.name];
    if (other === undefined) continue;
    const s = (into[def.name] ??= {});
    if (other.entries !== undefined) {
      s.entries = [...(s.entries ?? []), ...other.entries];
      continue;
    }
    if (other.count !== undefined) s.count = (s.count ?? 0) + other.count;
    if (other.sum !== undefined) s.sum = (s.sum ?? 0) + other.sum;
    if (other.min !== undefined) s.min = Math.min(s.min ?? other.min, other.min);
    if (other.max !== undefined) s.max = Math.max(s.max ?? other.max, other.max);
    if (other.first !== undefined && (s.first === undefined || other.first[0] < s.first[0]))
      s.first = other.first;
    if (other.last !== undefined && (s.last === undefined || other.last[0] >= s.last[0]))
      s.last = other.last;
    if (other.distinct !== undefined) s.distinct = union(s.distinct ?? [], other.distinct);
  }
}

/** The values at `now`: windows are cut at now − windowDays. */
export function evaluateComputed(
  state: ComputedState,
  definitions: readonly ComputedTraitDefinition[],
  now: number,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const def of definitions) {
    const s = state[def.name];
    if (def.windowDays !== undefined) {
      const inWindow: AggregateState = {};
      for (const [time, value] of s?.entries ?? []) {
        if (time >= now - def.windowDays * day && time <= now)
          fold(inWindow, def.function, time, value);
      }
      values[def.name] = result(inWindow, def.function);
    } else {
      values[def.name] = result(s ?? {}, def.function);
    }
  }
  return values;
}

function fold(s: AggregateState, fn: AggregateFunction, time: number, value: unknown): void {
  switch (fn) {
    case 'count':
      s.count = (s.count ?? 0) + 1;
      break;
    case 'sum':
      s.sum = (s.sum ?? 0) + (value as number);
      break;
    case 'min':
      s.min = Math.min(s.min ?? (value as number), value as number);
      break;
    case 'max':
      s.max = Math.max(s.max ?? (value as number), value as number);
      break;
    case 'first':
      if (s.first === undefined || time < s.first[0]) s.first = [time, value];
      break;
    case 'last':
      if (s.last === undefined || time >= s.last[0]) s.last = [time, value];
      break;
    case 'distinct_count':
      s.distinct = union(s.distinct ?? [], [value]);
      break;
  }
}

function result(s: AggregateState, fn: AggregateFunction): unknown {
  switch (fn) {
    case 'count':
      return s.count ?? 0;
    case 'sum':
      return s.sum ?? 0;
    case 'min':
      return s.min ?? null;
    case 'max':
      return s.max ?? null;
    case 'first':
      return s.first?.[1] ?? null;
    case 'last':
      return s.last?.[1] ?? null;
    case 'distinct_count':
      return s.distinct?.length ?? 0;
  }
}

function needsNumber(fn: AggregateFunction): boolean {
  return fn === 'sum' || fn === 'min' || fn === 'max';
}

function union(a: unknown[], b: unknown[]): unknown[] {
  const seen = new Set(a.map((v) => JSON.stringify(v)));
  const out = [...a];
  for (const v of b) {
    const key = JSON.stringify(v);
    if (!seen.has(key) && out.length < maxDistinct) {
      seen.add(key);
      out.push(v);
    }
  }
  return out;
}

export function propertyValue(
  properties: Record<string, unknown>,
  path: string | string[] | undefined,
): unknown {
  if (path === undefined) return undefined;
  for (const candidate of Array.isArray(path) ? path : [path]) {
    let node: unknown = properties;
    for (const part of candidate.split('.')) {
      node =
        typeof node === 'object' && node !== null
          ? (node as Record<string, unknown>)[part]
          : undefined;
    }
    if (node !== undefined && node !== null) return node;
  }
  return undefined;
}

function matches(
  conditions: PropertyCondition[] | undefined,
  properties: Record<string, unknown>,
): boolean {
  if (conditions === undefined) return true;
  return conditions.every((c) => {
    const v = propertyValue(properties, c.property);
    switch (c.op) {
      case 'exists':
        return v !== undefined;
      case 'eq':
        return v === c.value;
      case 'neq':
        return v !== c.value;
      case 'gt':
        return typeof v === 'number' && typeof c.value === 'number' && v > c.value;
      case 'gte':
        return typeof v === 'number' && typeof c.value === 'number' && v >= c.value;
      case 'lt':
        return typeof v === 'number' && typeof c.value === 'number' && v < c.value;
      case 'lte':
        return typeof v === 'number' && typeof c.value === 'number' && v <= c.value;
    }
  });
}
