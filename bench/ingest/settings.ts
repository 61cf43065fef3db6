/** The benchmark's knobs, from the environment. */

export interface Settings {
  /** Measured seconds per round (BENCH_DURATION). */
  durationSeconds: number;
  /** Warm-up seconds before each measured run (BENCH_WARMUP). */
  warmupSeconds: number;
  connections: number;
  /** Rounds; each round runs the floor, then Attune. */
  rounds: number;
  /** Distinct request bodies generated (BENCH_POOL). */
  poolSize: number;
  seed: number;
}

const knobs = [
  { key: 'durationSeconds', env: 'BENCH_DURATION', fallback: 15, min: 1 },
  { key: 'warmupSeconds', env: 'BENCH_WARMUP', fallback: 3, min: 0 },
  { key: 'connections', env: 'BENCH_CONNECTIONS', fallback: 16, min: 1 },
  { key: 'rounds', env: 'BENCH_ROUNDS', fallback: 2, min: 1 },
  { key: 'poolSize', env: 'BENCH_POOL', fallback: 2000, min: 1 },
  { key: 'seed', env: 'BENCH_SEED', fallback: 1, min: 0 },
] as const satisfies readonly { key: keyof Settings; env: string; fallback: number; min: number }[];

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const problems: string[] = [];
  const settings: Partial<Settings> = {};
  for (const { key, env: name, fallback, min } of knobs) {
    const raw = env[name];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < min) {
      problems.push(`${name} must be an integer >= ${min} (got ${JSON.stringify(raw)})`);
    }
    settings[key] = value;
  }
  if (problems.length > 0) throw new Error(`invalid settings:\n  ${problems.join('\n  ')}`);
  return settings as Settings;
}
