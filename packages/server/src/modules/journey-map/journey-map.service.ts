import type {
  Condition,
  JourneyMapInput,
  JourneyMapReport,
  JourneyMapView,
} from '@attune/contracts';
import {
  checkCondition,
  compileCondition,
  formatIsoTimestamp,
  parseIsoTimestamp,
} from '@attune/engine';
import { ProblemError } from '../../http/problem.js';
import type { Clock } from '../../platform/clock.js';
import { defaultJourneyMap } from './default-journey-map.js';
import type { JourneyMapDefinitionStore, JourneyMapStatsStore } from './journey-map.store.js';

const day = 86_400_000;

/** The journey map's definition and its report; the processor keeps each profile's stage. */
export class JourneyMapService {
  constructor(
    private readonly deps: {
      definitions: JourneyMapDefinitionStore;
      stats: JourneyMapStatsStore;
      clock: Clock;
    },
  ) {}

  definition(): JourneyMapView {
    const stored = this.deps.definitions.get();
    if (stored === undefined) return { version: 0, stages: [], updatedAt: null };
    return {
      version: stored.version,
      stages: stored.stages,
      updatedAt: formatIsoTimestamp(stored.updatedAt),
    };
  }

  /** Replaces the map (a new version: the processor re-evaluates every profile's stage). */
  put(input: JourneyMapInput): JourneyMapView {
    // A copy: the stored map must never share objects with the shipped default.
    const stages = 'template' in input ? structuredClone(defaultJourneyMap.stages) : input.stages;
    const seen = new Set<string>();
    stages.forEach((stage, i) => {
      if (seen.has(stage.name))
        throw new ProblemError(
          'invalid_request',
          `Stage "${stage.name}" appears twice`,
          `/stages/${i}/name`,
        );
      seen.add(stage.name);
      const issue = checkCondition(stage.condition, `/stages/${i}/condition`)[0];
      if (issue !== undefined)
        throw new ProblemError('invalid_condition', issue.message, issue.path);
      if (compileCondition(stage.condition as Condition).dependencies.stage)
        throw new ProblemError(
          'invalid_condition',
          'A stage cannot be defined by the stage itself',
          `/stages/${i}/condition`,
        );
    });
    const stored = this.deps.definitions.put(stages, this.deps.clock.now());
    return {
      version: stored.version,
      stages: stored.stages,
      updatedAt: formatIsoTimestamp(stored.updatedAt),
    };
  }

  report(query: { from?: string; to?: string }): JourneyMapReport {
    const to = instant(query.to, '/to') ?? this.deps.clock.now();
    const from = instant(query.from, '/from') ?? to - 30 * day;
    if (from >= to)
      throw new ProblemError('invalid_request', '`from` must be before `to`', '/from');
    const { stats } = this.deps;
    const populations = stats.populations();
    const transitions = stats.transitions(from, to);
    const times = stats.timesInStage(from, to);
    return {
      from: formatIsoTimestamp(from),
      to: formatIsoTimestamp(to),
      stages: this.definition().stages.map(({ name }) => ({
        name,
        population: populations.get(name) ?? 0,
        entered: transitions.filter((t) => t.to === name).reduce((n, t) => n + t.count, 0),
        medianHoursInStage: median(times.get(name) ?? []),
      })),
      transitions,
    };
  }
}

function instant(text: string | undefined, field: string): number | null {
  if (text === undefined) return null;
  const parsed = parseIsoTimestamp(text);
  if (parsed === null)
    throw new ProblemError(
      'invalid_request',
      `${field.slice(1)} must be an ISO-8601 date-time`,
      field,
    );
  return parsed;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const ms =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return Math.round((ms / 3_600_000) * 100) / 100;
}
