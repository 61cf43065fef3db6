import { leafConditionSchemas, type Condition } from '@attune/contracts';
import type { ValueError } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { instantOf } from './compare-values.js';

/** One problem in a condition tree, at a JSON pointer relative to the tree's root. */
export interface ConditionIssue {
  path: string;
  message: string;
}

export const conditionLimits = { depth: 20, nodes: 500 };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const nodeTypes = ['and', 'or', 'not', ...Object.keys(leafConditionSchemas)];

export interface CheckOptions {
  /**
   * Whether `context` conditions may appear: only decision rules are evaluated with a
   * request's context; segments, stages and journeys are not.
   */
  allowContext?: boolean;
}

/**
 * Checks a condition tree node by node, so each problem names the node at fault (a
 * schema over the whole recursive union could only say "no variant matched" at the root).
 * Beyond shape: each operator's value, instants that parse, ranges in order. Returns no
 * issues when the tree can be compiled.
 */
export function checkCondition(
  tree: unknown,
  root = '',
  options: CheckOptions = {},
): ConditionIssue[] {
  const issues: ConditionIssue[] = [];
  let nodes = 0;

  const walk = (node: unknown, path: string, depth: number): void => {
    if (++nodes > conditionLimits.nodes) {
      if (nodes === conditionLimits.nodes + 1)
        issues.push({
          path,
          message: `a condition may have at most ${conditionLimits.nodes} nodes`,
        });
      return;
    }
    if (depth > conditionLimits.depth) {
      issues.push({ path, message: `conditions may nest at most ${conditionLimits.depth} deep` });
      return;
    }
    if (!isObject(node)) {
      issues.push({ path, message: 'a condition must be an object with a `type`' });
      return;
    }
    const type = node['type'];
    if (typeof type !== 'string' || !nodeTypes.includes(type)) {
      issues.push({
        path: `${path}/type`,
        message: `unknown condition type ${JSON.stringify(type)}; expected one of ${nodeTypes.join(', ')}`,
      });
      return;
    }
    if (type === 'and' || type === 'or') {
      const children = node['conditions'];
      const extra = Object.keys(node).filter((k) => k !== 'type' && k !== 'conditions');
      if (extra.length > 0)
        issues.push({ path: `${path}/${extra[0]}`, message: `unexpected field in "${type}"` });
      if (!Array.isArray(children) || children.length === 0) {
        issues.push({
          path: `${path}/conditions`,
          message: `"${type}" needs a non-empty array of conditions`,
        });
        return;
      }
      children.forEach((child, i) => walk(child, `${path}/conditions/${i}`, depth + 1));
      return;
    }
    if (type === 'not') {
      const extra = Object.keys(node).filter((k) => k !== 'type' && k !== 'condition');
      if (extra.length > 0)
        issues.push({ path: `${path}/${extra[0]}`, message: 'unexpected field in "not"' });
      walk(node['condition'], `${path}/condition`, depth + 1);
      return;
    }
    if (type === 'context' && options.allowContext !== true) {
      issues.push({
        path: `${path}/type`,
        message:
          '"context" conditions apply to decision rules only: there is no request context here',
      });
      return;
    }
    const schema = leafConditionSchemas[type as keyof typeof leafConditionSchemas];
    const first = deepest(Value.Errors(schema, node).First());
    if (first !== undefined) {
      issues.push({ path: `${path}${first.path}`, message: first.message });
      return;
    }
    issues.push(...checkLeafValues(node, path));
  };

  walk(tree, root, 1);
  return issues;
}

/** For a union (e.g. a window), the variant's error that got furthest into the value. */
function deepest(error: ValueError | undefined): ValueError | undefined {
  if (error === undefined) return undefined;
  let best = error;
  for (const variant of error.errors) {
    const inner = deepest(variant.First());
    if (inner !== undefined && inner.path.length > best.path.length) best = inner;
  }
  return best;
}

/** A checked tree, typed; throws the first issue otherwise (for trusted definitions). */
export function assertCondition(tree: unknown, options: CheckOptions = {}): Condition {
  const issues = checkCondition(tree, '', options);
  if (issues.length > 0) {
    const { path, message } = issues[0] as ConditionIssue;
    throw new Error(`invalid condition at ${path || '/'}: ${message}`);
  }
  return tree as Condition;
}

const durationOk = (v: unknown): boolean =>
  isObject(v) &&
  Number.isInteger(v['amount']) &&
  (v['amount'] as number) >= 1 &&
  ['minutes', 'hours', 'days', 'weeks'].includes(v['unit'] as string) &&
  Object.keys(v).every((k) => k === 'amount' || k === 'unit');

const scalar = (v: unknown): boolean =>
  typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';

/** The value each operator needs, for a comparison at `path` (trait, computed, property). */
function checkComparison(c: Json, path: string): ConditionIssue[] {
  const value = c['value'];
  const at = `${path}/value`;
  switch (c['op']) {
    case 'exists':
    case 'not_exists':
      return value === undefined
        ? []
        : [{ path: at, message: `"${String(c['op'])}" takes no value` }];
    case 'eq':
    case 'neq':
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
    case 'contains':
    case 'starts_with':
      return scalar(value)
        ? []
        : [{ path: at, message: `"${String(c['op'])}" needs a string, number or boolean value` }];
    case 'between':
      if (!Array.isArray(value) || value.length !== 2 || !value.every(scalar))
        return [{ path: at, message: '"between" needs [low, high]' }];
      if (typeof value[0] === typeof value[1] && (value[0] as number) > (value[1] as number))
        return [{ path: at, message: '"between" needs low <= high' }];
      return [];
    case 'in':
    case 'not_in':
      return Array.isArray(value) && value.length > 0 && value.length <= 1000 && value.every(scalar)
        ? []
        : [
            {
              path: at,
              message: `"${String(c['op'])}" needs a non-empty array of at most 1000 values`,
            },
          ];
    case 'before':
    case 'after':
      return instantOf(value) !== null
        ? []
        : [
            {
              path: at,
              message: `"${String(c['op'])}" needs an ISO-8601 date or epoch milliseconds`,
            },
          ];
    case 'within_last':
      return durationOk(value)
        ? []
        : [
            {
              path: at,
              message: '"within_last" needs a duration such as {"amount": 7, "unit": "days"}',
            },
          ];
    default:
      return [];
  }
}

function checkFilter(filter: Json, path: string): ConditionIssue[] {
  const where = filter['where'];
  if (!Array.isArray(where)) return [];
  return where.flatMap((f, i) => checkComparison(f as Json, `${path}/where/${i}`));
}

function checkLeafValues(node: Json, path: string): ConditionIssue[] {
  switch (node['type']) {
    case 'trait':
    case 'computed':
    case 'context':
      return checkComparison(node, path);
    case 'event': {
      const issues = checkFilter(node, path);
      const window = node['window'];
      if (isObject(window) && !('last' in window)) {
        for (const end of ['from', 'to'] as const) {
          if (window[end] !== undefined && instantOf(window[end]) === null)
            issues.push({
              path: `${path}/window/${end}`,
              message: 'needs an ISO-8601 date or epoch milliseconds',
            });
        }
        const from = instantOf(window['from']);
        const to = instantOf(window['to']);
        if (from !== null && to !== null && from >= to)
          issues.push({ path: `${path}/window`, message: '`from` must be before `to`' });
      }
      return issues;
    }
    case 'event_time': {
      const issues = checkFilter(node, path);
      issues.push(...checkComparison(node, path));
      return issues;
    }
    case 'sequence':
      return [
        ...checkFilter(node['first'] as Json, `${path}/first`),
        ...checkFilter(node['then'] as Json, `${path}/then`),
      ];
    case 'not_followed':
      return [
        ...checkFilter(node['first'] as Json, `${path}/first`),
        ...checkFilter(node['by'] as Json, `${path}/by`),
      ];
    default:
      return [];
  }
}
