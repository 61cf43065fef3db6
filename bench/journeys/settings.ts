/** The journeys benchmark's knobs, from the environment. */

export interface Settings {
  /** Profiles identified, then entered into the journey (BENCH_PROFILES). */
  profiles: number;
  /** The journey's wait step, minutes (BENCH_WAIT_MINUTES; the API's smallest unit). */
  waitMinutes: number;
  /** Measured seconds of each ingest window (BENCH_LOAD_SECONDS). */
  loadSeconds: number;
  /** Warm-up seconds before each ingest window (BENCH_WARMUP). */
  warmupSeconds: number;
  connections: number;
  /** Distinct request bodies of the ingest load (BENCH_POOL). */
  poolSize: number;
  seed: number;
  /** Seconds to wait for the sends, from the first timer's due time (BENCH_DRAIN_LIMIT). */
  drainLimitSeconds: number;
  /** ATTUNE_JOURNEY_STEPS_PER_SECOND for the server (BENCH_STEPS_PER_SECOND). */
  stepsPerSecond: number;
  /** ATTUNE_JOURNEY_CONCURRENCY for the server (BENCH_JOURNEY_CONCURRENCY). */
  concurrency: number;
  /** Seconds the mailer floor sends for (BENCH_FLOOR_SECONDS). */
  floorSeconds: number;
}

const knobs = [
  { key: 'profiles', env: 'BENCH_PROFILES', fallback: 100_000, min: 100 },
  { key: 'waitMinutes', env: 'BENCH_WAIT_MINUTES', fallback: 1, min: 1 },
  { key: 'loadSeconds', env: 'BENCH_LOAD_SECONDS', fallback: 10, min: 1 },
  { key: 'warmupSeconds', env: 'BENCH_WARMUP', fallback: 2, min: 0 },
  { key: 'connections', env: 'BENCH_CONNECTIONS', fallback: 16, min: 1 },
  { key: 'poolSize', env: 'BENCH_POOL', fallback: 500, min: 1 },
  { key: 'seed', env: 'BENCH_SEED', fallback: 1, min: 0 },
  { key: 'drainLimitSeconds', env: 'BENCH_DRAIN_LIMIT', fallback: 150, min: 1 },
  // The server's defaults (config/journeys-config.ts), passed explicitly so the report says.
  { key: 'stepsPerSecond', env: 'BENCH_STEPS_PER_SECOND', fallback: 2000, min: 1 },
  { key: 'concurrency', env: 'BENCH_JOURNEY_CONCURRENCY', fallback: 16, min: 1 },
  { key: 'floorSeconds', env: 'BENCH_FLOOR_SECONDS', fallback: 5, min: 1 },
] as const satisfies readonly { key: keyof Settings; env: string; fallback: number; min: number }[];

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const problems: string[] = [];
  const settings: Partial<Settings> = {};
  for (const { key, env: name, fallback, min } of knobs) {
    const raw = env[name]?.replaceAll('_', '');
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < min) {
      problems.push(`${name} must be an integer >= ${min} (got ${JSON.stringify(env[name])})`);
    }
    settings[key] = value;
  }
  if (problems.length > 0) throw new Error(`invalid settings:\n  ${problems.join('\n  ')}`);
  return settings as Settings;
}
