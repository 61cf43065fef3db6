/** The benchmark's knobs, from command-line flags (`npm run bench:segments -- --quick`). */
import { parseArgs } from 'node:util';

export interface Settings {
  /** Events of history loaded before the backfill and latency phases (--events). */
  events: number;
  /** Days the history's timestamps spread over, ending now (--span-days). */
  spanDays: number;
  /** Probe events of the latency phase (--probes). */
  probes: number;
  /** Seconds the latency phase runs; the probes are spread over it (--latency-seconds). */
  latencySeconds: number;
  /** Background load of the latency phase, events per second (--rate). */
  rate: number;
  /** Throughput rounds; each runs Attune without segments, then with them (--rounds). */
  rounds: number;
  /** Measured seconds per throughput run (--duration). */
  durationSeconds: number;
  /** Warm-up seconds before each throughput run (--warmup). */
  warmupSeconds: number;
  /** Concurrent connections of the throughput load (--connections). */
  connections: number;
  /** Distinct request bodies of the throughput load (--pool). */
  poolSize: number;
  seed: number;
  /** The Attune CLI to start (--cli); default: this checkout's build. */
  cli: string | undefined;
  quick: boolean;
}

type NumberKnob = Exclude<keyof Settings, 'cli' | 'quick'>;

const defaults: Record<NumberKnob, { flag: string; full: number; quick: number; min: number }> = {
  events: { flag: 'events', full: 1_000_000, quick: 100_000, min: 100 },
  spanDays: { flag: 'span-days', full: 60, quick: 60, min: 1 },
  probes: { flag: 'probes', full: 200, quick: 40, min: 1 },
  latencySeconds: { flag: 'latency-seconds', full: 60, quick: 15, min: 1 },
  rate: { flag: 'rate', full: 1000, quick: 1000, min: 0 },
  rounds: { flag: 'rounds', full: 2, quick: 1, min: 1 },
  durationSeconds: { flag: 'duration', full: 10, quick: 5, min: 1 },
  warmupSeconds: { flag: 'warmup', full: 2, quick: 1, min: 0 },
  connections: { flag: 'connections', full: 16, quick: 16, min: 1 },
  poolSize: { flag: 'pool', full: 1000, quick: 300, min: 1 },
  seed: { flag: 'seed', full: 1, quick: 1, min: 0 },
};

export const usage = `usage: npm run bench:segments -- [--quick] [--events N] [--span-days N] [--probes N]
  [--latency-seconds N] [--rate N] [--rounds N] [--duration N] [--warmup N]
  [--connections N] [--pool N] [--seed N] [--cli path/to/attune/main.js]`;

export function readSettings(args: string[] = process.argv.slice(2)): Settings {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    quick: { type: 'boolean' },
    cli: { type: 'string' },
  };
  for (const knob of Object.values(defaults)) options[knob.flag] = { type: 'string' };
  const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
  const quick = values.quick === true;
  const problems: string[] = [];
  const settings: Partial<Settings> = { quick, cli: values.cli as string | undefined };
  for (const [key, { flag, full, quick: fast, min }] of Object.entries(defaults)) {
    const raw = values[flag] as string | undefined;
    const value = raw === undefined ? (quick ? fast : full) : Number(raw.replaceAll('_', ''));
    if (!Number.isInteger(value) || value < min) {
      problems.push(`--${flag} must be an integer >= ${min} (got ${JSON.stringify(raw)})`);
    }
    settings[key as NumberKnob] = value;
  }
  if (problems.length > 0) throw new Error(`invalid flags:\n  ${problems.join('\n  ')}\n${usage}`);
  return settings as Settings;
}
