/**
 * Rule evaluation alone: Attune's compiled rule set against json-rules-engine on the same
 * 1,000 rules and the same facts, in this process, rounds alternating between the two.
 * Both must find the same rules holding for every profile (checked), so the comparison is
 * of equal work. Two untimed rounds of each warm the JIT first.
 */
import { compileRuleSet, type ConditionInput } from '@attune/engine';
import { Engine, type RuleProperties } from 'json-rules-engine';
import { Random } from '../ingest/random.js';
import { median } from '../ingest/report.js';
import {
  campaigns,
  countries,
  devices,
  paths,
  plans,
  ruleShapes,
  toCondition,
  type Leaf,
  type RuleShape,
} from './rule-mix.js';

export interface EngineComparison {
  rules: number;
  profiles: number;
  /** Median µs to evaluate every rule for one profile, per engine. */
  attuneMicros: number;
  jsonRulesEngineMicros: number;
  roundsAttune: number[];
  roundsJsonRulesEngine: number[];
  matchesPerProfile: number;
}

interface Facts {
  segments: string[];
  plan: string;
  country: string;
  ltv: number;
  context: {
    page: { path: string };
    device: { type: string };
    campaign: { name: string };
    locale: string;
  };
}

function factsOf(r: Random, segmentIds: readonly string[]): Facts {
  return {
    segments: segmentIds.filter(() => r.next() < 0.3),
    plan: r.pick(plans),
    country: r.pick(countries),
    ltv: r.int(600),
    context: {
      page: { path: r.pick(paths) },
      device: { type: r.pick(devices) },
      campaign: { name: r.pick(campaigns) },
      locale: r.pick(['en-US', 'de-DE', 'fr-FR']),
    },
  };
}

/** The same leaf for json-rules-engine: flat facts, the fastest way to feed it. */
function jreCondition(l: Leaf) {
  if (l.kind === 'segment')
    return {
      fact: 'segments',
      operator: l.member ? 'contains' : 'doesNotContain',
      value: l.segment,
    };
  if (l.kind === 'trait') {
    const operator = { eq: 'equal', neq: 'notEqual', gte: 'greaterThanInclusive', lt: 'lessThan' }[
      l.op
    ];
    return { fact: l.trait, operator, value: l.value };
  }
  if (l.op === 'starts_with') return { fact: 'path', operator: 'startsWith', value: l.value };
  const fact = { 'device.type': 'device', 'campaign.name': 'campaign', locale: 'locale' }[l.field];
  return { fact, operator: 'in', value: l.value };
}

function jreRule(shape: RuleShape, index: number): RuleProperties {
  const conditions = shape.leaves.map(jreCondition);
  return {
    conditions: shape.all ? { all: conditions } : { any: conditions },
    event: { type: `rule-${index}` },
  };
}

const flatFacts = (f: Facts) => ({
  segments: f.segments,
  plan: f.plan,
  country: f.country,
  ltv: f.ltv,
  path: f.context.page.path,
  device: f.context.device.type,
  campaign: f.context.campaign.name,
  locale: f.context.locale,
});

export async function compareRuleEngines(options: {
  rules: number;
  profiles: number;
  rounds: number;
  seed: number;
}): Promise<EngineComparison> {
  const segmentIds = Array.from({ length: 20 }, (_, i) => `segment-${i}`);
  const shapes = ruleShapes(options.rules, segmentIds, options.seed);
  const ruleSet = compileRuleSet(shapes.map(toCondition));
  const engine = new Engine([], { allowUndefinedFacts: true });
  engine.addOperator(
    'startsWith',
    (a: unknown, b: unknown) => typeof a === 'string' && a.startsWith(b as string),
  );
  shapes.forEach((shape, i) => engine.addRule(jreRule(shape, i)));
  const r = new Random(options.seed);
  const people = Array.from({ length: options.profiles }, () => factsOf(r, segmentIds));
  const inputs = people.map((f): ConditionInput => {
    const members = new Set(f.segments);
    return {
      now: Date.now(),
      traits: { plan: f.plan, country: f.country, ltv: f.ltv },
      computed: {},
      trails: {},
      isMember: (id) => members.has(id),
      stage: null,
      consent: () => null,
      context: f.context,
    };
  });
  const flat = people.map(flatFacts);

  const attuneRun = (): number[] => inputs.map((input) => ruleSet.against(input).countHolding());
  const jreRun = async (): Promise<number[]> => {
    const counts: number[] = [];
    for (const facts of flat) counts.push((await engine.run(facts)).events.length);
    return counts;
  };
  // Same answers, or the comparison is meaningless.
  const ours = attuneRun();
  const theirs = await jreRun();
  const differ = ours.findIndex((n, i) => n !== theirs[i]);
  if (differ >= 0)
    throw new Error(
      `the engines disagree for profile ${differ}: ${ours[differ]} vs ${theirs[differ]} rules hold`,
    );

  const roundsAttune: number[] = [];
  const roundsJre: number[] = [];
  // Two rounds of each first, not timed: both engines' code gets compiled by the JIT.
  for (let warm = 0; warm < 2; warm++) {
    for (let pass = 0; pass < 20; pass++) attuneRun();
    await jreRun();
  }
  for (let round = 0; round < options.rounds; round++) {
    let t = performance.now();
    // Several passes: one pass of Attune's is too short to time well.
    for (let pass = 0; pass < 20; pass++) attuneRun();
    roundsAttune.push(((performance.now() - t) * 1000) / (20 * people.length));
    t = performance.now();
    await jreRun();
    roundsJre.push(((performance.now() - t) * 1000) / people.length);
  }
  return {
    rules: options.rules,
    profiles: options.profiles,
    attuneMicros: median(roundsAttune),
    jsonRulesEngineMicros: median(roundsJre),
    roundsAttune,
    roundsJsonRulesEngine: roundsJre,
    matchesPerProfile: ours.reduce((a, b) => a + b, 0) / ours.length,
  };
}
