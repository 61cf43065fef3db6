/**
 * npm run bench:journeys — a burst of profiles entering a 3-step journey (wait → email →
 * exit) on one Attune with its processor, sending through SMTP to a counting sink here:
 *
 * 0. mailer floor: Attune's SMTP adapter alone, from this process, into a sink;
 * 1. BENCH_PROFILES profiles identified (email, name) and processed;
 * 2. ingest without journey work: the ingest benchmark's load for a fixed window;
 * 3. the journey is defined and every profile sends its entry event at once; time until
 *    every run exists and every wait timer is set; the same ingest window runs meanwhile;
 * 4. when the timers come due: the same ingest window again, from the first due time, and
 *    the drain: timer firing lag (email at the sink − due time), emails/s at the sink.
 *
 * Env: see settings.ts and bench/README.md. Exits non-zero only when the run itself failed
 * (a server did not start, a non-2xx answer, failed or duplicate sends, wrong counts).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JourneyInput, JourneyStats } from '@attune/contracts';
import { scrapeMetrics } from '../ingest/attune-probe.js';
import { loud, progress, runBenchmark } from '../ingest/report.js';
import { writePool } from '../ingest/body-pool.js';
import { killChildrenOnExit, onExit } from '../ingest/processes.js';
import { attuneCli } from '../ingest/rounds.js';
import { AttuneServer } from '../segments/server.js';
import { JourneysPeek, ProgressSampler, type Progress } from './journeys-peek.js';
import { loadWindow, type LoadWindow, type WindowPlan } from './load-window.js';
import { mailerFloor } from './mailer-floor.js';
import { entryEvent, identifyProfiles, sendEntries } from './profiles.js';
import {
  bucketQuantile,
  count,
  median,
  met,
  parseHistogram,
  secs,
  sendRate,
  summarizeLag,
  targets,
  windowLine,
} from './report.js';
import { readSettings, type Settings } from './settings.js';
import { startSmtpCounter, type SmtpCounter } from './smtp-counter.js';

const journeyId = 'bench';
const steps = { wait: 'wait', action: 'mail' };
const lagMetric = 'attune_journey_timer_lag_seconds';

function journey(waitMinutes: number): JourneyInput {
  return {
    id: journeyId,
    name: 'Bench',
    entry: { event: entryEvent },
    start: steps.wait,
    steps: {
      [steps.wait]: {
        type: 'wait',
        duration: { amount: waitMinutes, unit: 'minutes' },
        next: steps.action,
      },
      [steps.action]: {
        type: 'action',
        // `analytics` is granted unless refused (opt-out): no per-profile consent needed.
        action: {
          type: 'email',
          purpose: 'analytics',
          subject: 'Hi {{ traits.name }}',
          text: 'Hello {{ traits.name }}',
        },
        next: 'done',
      },
      done: { type: 'exit' },
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds from `t0` (epoch ms) to `at`, or n/a. */
const since = (t0: number, at: number | undefined): string =>
  at === undefined ? 'n/a' : secs((at - t0) / 1000);

async function main(): Promise<number> {
  killChildrenOnExit();
  const settings = readSettings();
  const n = settings.profiles;
  const waitMs = settings.waitMinutes * 60_000;
  if (!existsSync(attuneCli))
    throw new Error(`${attuneCli} is missing: build the server first (npm run build)`);
  const workDir = mkdtempSync(join(tmpdir(), 'attune-bench-journeys-'));
  onExit(() => rmSync(workDir, { recursive: true, force: true }));
  const failures: string[] = [];
  const started = Date.now();

  console.log(
    `bench:journeys — ${count(n)} profiles entering wait ${settings.waitMinutes} min → email → exit; server: ${count(settings.stepsPerSecond)} steps/s, ${settings.concurrency} sends in flight; ingest windows: ${settings.warmupSeconds} s warm-up + ${settings.loadSeconds} s, ${settings.connections} connections; drain limit ${settings.drainLimitSeconds} s from the first due timer`,
  );
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`,
  );

  // 0. What Attune's SMTP adapter gets into the sink on its own.
  const floor = await mailerFloor(settings.floorSeconds, settings.concurrency);
  console.log(
    `mailer floor: Attune's SmtpMailer (nodemailer, 4 pooled connections) → counting sink, ${settings.concurrency} sends in flight, from this process: ${count(floor.perSecond)} emails/s (${count(floor.sent)} in ${secs(floor.seconds)}; ${floor.failed} failed${floor.errors.length > 0 ? `: ${floor.errors.join(' | ')}` : ''})`,
  );
  if (floor.failed > 0) failures.push(`mailer floor: ${floor.failed} sends failed`);

  const poolFile = join(workDir, 'bodies.jsonl');
  writePool(poolFile, settings.poolSize, settings.seed);
  const sink = await startSmtpCounter();
  const dataDir = join(workDir, 'data');
  mkdirSync(dataDir);
  const server = await AttuneServer.start(attuneCli, dataDir, {
    processor: true,
    env: {
      ATTUNE_SMTP_HOST: sink.host,
      ATTUNE_SMTP_PORT: String(sink.port),
      ATTUNE_SMTP_SECURE: 'false',
      ATTUNE_MAIL_FROM: 'Attune Bench <bench@localhost>',
      ATTUNE_JOURNEY_STEPS_PER_SECOND: String(settings.stepsPerSecond),
      ATTUNE_JOURNEY_CONCURRENCY: String(settings.concurrency),
      // The load and the profile batches are one write key; not what the limit is for.
      ATTUNE_RATE_LIMIT_WRITE: '0',
    },
  });
  const peek = new JourneysPeek(dataDir, journeyId, steps, Date.now() + waitMs);
  const sampler = new ProgressSampler(peek);
  try {
    return await phases(settings, server, sink, sampler, failures, poolFile, floor.perSecond);
  } finally {
    sampler.stop();
    peek.close();
    const stopping = Date.now();
    await server.stop();
    console.log(`server stopped ${secs((Date.now() - stopping) / 1000)} after SIGTERM`);
    await sink.close();
    console.log(`total run time: ${secs((Date.now() - started) / 1000)}`);
  }
}

async function phases(
  settings: Settings,
  server: AttuneServer,
  sink: SmtpCounter,
  sampler: ProgressSampler,
  failures: string[],
  poolFile: string,
  floorPerSecond: number,
): Promise<number> {
  const n = settings.profiles;
  const waitMs = settings.waitMinutes * 60_000;
  let nextRequest = 1;
  const window = async (name: string): Promise<LoadWindow> => {
    const plan: WindowPlan = {
      poolFile,
      warmupSeconds: settings.warmupSeconds,
      durationSeconds: settings.loadSeconds,
      connections: settings.connections,
      firstRequest: nextRequest,
    };
    const result = await loadWindow(server, plan);
    nextRequest = result.load.nextRequest;
    failures.push(...result.failures.map((f) => `${name}: ${f}`));
    return result;
  };
  /** The processor has applied the whole log, and the journeys have read it. */
  const settle = async (): Promise<number> => {
    const from = Date.now();
    await server.waitCaughtUp(600_000, (lag) => progress(`processor lag ${count(lag)} events`));
    const { lastOffset } = await scrapeMetrics(server.url);
    const followed = await sampler.until((p) => p.cursor >= lastOffset, 120_000);
    progress('');
    if (followed === undefined)
      failures.push(`the journeys did not read the log to ${lastOffset} within 120 s`);
    return (Date.now() - from) / 1000;
  };

  // 1. Profiles.
  const identified = await identifyProfiles(server.url, n);
  const processedIn = await settle();
  console.log(
    `profiles: ${count(n)} identified (email, name) in ${since(identified.startedAt, identified.endedAt)} (${identified.requests} requests); processed and read by the journeys ${secs(processedIn)} later`,
  );

  // 2. Ingest without journey work.
  const baseline = await window('ingest without journeys');
  for (const line of windowLine('ingest without journey work', baseline)) console.log(line);
  const baselineSettled = await settle();
  console.log(`      processor and journeys caught up ${secs(baselineSettled)} after the load`);

  // 3. The burst: define the journey, every profile's entry event, ingest meanwhile.
  await server.admin('POST', '/v1/journeys', journey(settings.waitMinutes));
  const definedAt = Date.now();
  const entries = await sendEntries(server.url, n);
  const t0 = entries.startedAt;
  const entriesOffset = (await scrapeMetrics(server.url)).lastOffset;
  const burst = await window('ingest during the entry burst');
  const scheduleLimitMs = (2 * n * 1000) / settings.stepsPerSecond + 120_000;
  const entered = await sampler.until((p) => p.entered >= n, scheduleLimitMs, t0);
  const scheduled = await sampler.until((p) => p.scheduled >= n, scheduleLimitMs, t0);
  const followedEntries = sampler.first((p) => p.cursor >= entriesOffset, t0);
  const stats1 = await server.admin<JourneyStats>('GET', `/v1/journeys/${journeyId}/stats`);
  const states1 = sampler.peek.states();
  console.log(
    `entry burst: ${count(n)} "${entryEvent}" events acknowledged in ${since(t0, entries.endedAt)} (${entries.requests} requests); from the first one sent: read by the journeys at ${since(t0, followedEntries?.at)}, every run created at ${since(t0, entered?.at)}, every wait timer set at ${since(t0, scheduled?.at)}`,
  );
  console.log(
    `      stats then: entered ${count(stats1.totals.entered)}, active ${count(stats1.totals.active)}, at the wait step ${count(stats1.steps[steps.wait]?.waiting ?? 0)}; runs by state (journeys.db): ${JSON.stringify(states1)}`,
  );
  if (entered === undefined || scheduled === undefined)
    failures.push(
      `after ${secs(scheduleLimitMs / 1000)}: ${count(sampler.last.entered)} runs, ${count(sampler.last.scheduled)} timers set, of ${count(n)}`,
    );
  if (stats1.totals.entered !== n)
    failures.push(`stats say ${stats1.totals.entered} entered, expected ${n}`);
  for (const line of windowLine('ingest during the entry burst', burst)) console.log(line);
  console.log(`      ${overlapText(sampler, burst, t0)}`);

  // 4. The timers come due: ingest again from the first due time, and the drain.
  const dues = [...sampler.peek.dueAt.values()];
  const firstDue =
    dues.length === 0 ? definedAt + waitMs : dues.reduce((a, b) => Math.min(a, b), Infinity);
  const lastDue = dues.reduce((a, b) => Math.max(a, b), firstDue);
  const waitFor = firstDue - Date.now();
  if (waitFor > 0) {
    progress(`waiting ${secs(waitFor / 1000)} for the first timer`);
    await sleep(waitFor);
    progress('');
  }
  const firing = await window('ingest while the timers fire');
  const deadline = firstDue + settings.drainLimitSeconds * 1000;
  const drained = await sampler.until(
    (p) => sink.arrivals.length >= n && p.sent + p.failed >= n,
    Math.max(0, deadline - Date.now()),
    firstDue,
  );
  const endedAt = Date.now();
  // Sends go on meanwhile: the API's count must lie between two readings of journeys.db.
  const before = sampler.sample();
  const stats2 = await server.admin<JourneyStats>('GET', `/v1/journeys/${journeyId}/stats`);
  const after = sampler.sample();
  const states2 = sampler.peek.states();
  const histogram = parseHistogram(await (await fetch(`${server.url}/metrics`)).text(), lagMetric);
  const arrivals = sink.arrivals.filter((a) => a.at <= endedAt);
  const lag = summarizeLag(arrivals, sampler.peek.actionRuns(), sampler.peek.dueAt, endedAt);
  const rate = sendRate(arrivals, { from: firing.measuredFrom, to: firing.measuredTo });
  const quiet = rate.windows.filter((_w, i) => !rate.busy[i]);
  const busy = rate.windows.filter((_w, i) => rate.busy[i]);

  console.log(
    `timers: due from ${since(t0, firstDue)} to ${since(t0, lastDue)} after the first entry event (${secs((lastDue - firstDue) / 1000)} apart); drain ${drained === undefined ? `NOT finished within ${settings.drainLimitSeconds} s of the first due time` : `finished ${since(firstDue, drained.at)} after the first due time`}`,
  );
  const mail = stats2.steps[steps.action];
  console.log(
    `      stats: sent ${count(mail?.sent ?? 0)}, failed ${count(mail?.failed ?? 0)}, suppressed (consent) ${count(mail?.suppressedConsent ?? 0)}, at the email step ${count(mail?.waiting ?? 0)}, completed ${count(stats2.totals.completed)}; sink: ${count(arrivals.length)} emails (${count(new Set(arrivals.map((a) => a.messageId)).size)} distinct Message-IDs) over ${sink.connections} connections`,
  );
  console.log(`      runs by state (journeys.db): ${JSON.stringify(states2)}`);
  console.log(
    `timer firing lag (email at the sink − the run's due time, per run): ${count(lag.sent)} of ${count(lag.due)} due timers emailed: p50 ${secs(lag.p50)}  p99 ${secs(lag.p99)}  max ${secs(lag.max)}`,
  );
  if (lag.sent < lag.due)
    console.log(
      `      all ${count(lag.due)} due, the ${count(lag.due - lag.sent)} unsent counted at the lag reached when the drain stopped (lower bounds): p50 ≥ ${secs(lag.allP50)}  p99 ≥ ${secs(lag.allP99)}  max ≥ ${secs(lag.allMax)}`,
    );
  if (histogram !== undefined)
    console.log(
      `      engine side (${lagMetric}: due → picked up by the executor, before the send): ${count(histogram.count)} observed, mean ${secs(histogram.sum / Math.max(1, histogram.count))}, p50 ${bucketQuantile(histogram, 0.5)}, p99 ${bucketQuantile(histogram, 0.99)}`,
    );
  console.log(
    `actions/s at the sink: median of 1-s windows ${count(median(rate.windows))} (${rate.windows.length} windows; ${count(median(quiet))} without the ingest load, ${count(median(busy))} during it), overall ${count(rate.overall)} (${count(arrivals.length)} emails over ${secs((rate.last - rate.first) / 1000)}); mailer floor ${count(floorPerSecond)}`,
  );
  for (const line of windowLine('ingest while the timers fire', firing)) console.log(line);
  console.log(`      ${overlapText(sampler, firing, t0)}`);

  // Checks of the run itself.
  if (sink.protocolErrors > 0)
    failures.push(`the sink answered ${sink.protocolErrors} commands 502`);
  if (new Set(arrivals.map((a) => a.messageId)).size !== arrivals.length)
    failures.push('the sink received some Message-IDs more than once');
  if (arrivals.length > n)
    failures.push(`the sink received ${arrivals.length} emails for ${n} runs`);
  if ((mail?.failed ?? 0) > 0) failures.push(`${mail?.failed} sends failed (stats)`);
  if ((mail?.suppressedConsent ?? 0) > 0)
    failures.push(`${mail?.suppressedConsent} sends suppressed for consent`);
  if (lag.unmatched > 0) failures.push(`${lag.unmatched} emails not matched to a run's due time`);
  const apiSent = mail?.sent ?? 0;
  if (apiSent < before.sent || apiSent > after.sent)
    failures.push(
      `the stats API counts ${apiSent} sent, journeys.db ${before.sent} before and ${after.sent} after`,
    );

  // Summary.
  const ratioBurst = burst.eventsPerSecond / baseline.eventsPerSecond;
  const ratioFiring = firing.eventsPerSecond / baseline.eventsPerSecond;
  console.log('');
  console.log('summary');
  console.log(
    `  time to schedule all ${count(n)}: ${since(t0, entered?.at)} to create every run, ${since(t0, scheduled?.at)} to set every wait timer (from the first entry event sent; ${count(settings.stepsPerSecond)} steps/s)`,
  );
  console.log(
    `  timer firing lag p99: ${lag.sent === lag.due ? secs(lag.p99) : `≥ ${secs(lag.allP99)} (${count(lag.due - lag.sent)} of ${count(lag.due)} not yet sent)`} at the sink (p50 ${lag.sent === lag.due ? secs(lag.p50) : `≥ ${secs(lag.allP50)}`}); engine pickup p99 ${histogram === undefined ? 'n/a' : bucketQuantile(histogram, 0.99)}`,
  );
  console.log(
    `  actions/s sustained: ${count(median(quiet.length > 0 ? quiet : rate.windows))} (median of 1-s windows without the ingest load), ${count(rate.overall)} overall; mailer floor ${count(floorPerSecond)}`,
  );
  console.log(
    `  ingest without journey work: ${count(baseline.eventsPerSecond)} events/s; during the entry burst: ${count(burst.eventsPerSecond)} (ratio ${ratioBurst.toFixed(2)}, target >= ${targets.ingestRatio}: ${met(ratioBurst >= targets.ingestRatio)}); while the timers fire: ${count(firing.eventsPerSecond)} (ratio ${ratioFiring.toFixed(2)}, target >= ${targets.ingestRatio}: ${met(ratioFiring >= targets.ingestRatio)})`,
  );
  if (drained === undefined)
    loud('DRAIN NOT FINISHED', [
      `${count(arrivals.length)} of ${count(n)} emails reached the sink within ${settings.drainLimitSeconds} s of the first due time;`,
      'the lag and actions/s figures cover what was sent (BENCH_DRAIN_LIMIT to wait longer)',
    ]);
  if (failures.length > 0) loud('RUN FAILED', failures);
  return failures.length === 0 ? 0 : 1;
}

/** What journey work went on during a load window's measured phase (from the samples). */
function overlapText(sampler: ProgressSampler, w: LoadWindow, t0: number): string {
  const a: Progress = sampler.at(w.measuredFrom);
  const b: Progress = sampler.at(w.measuredTo);
  return `during its measured ${secs((w.measuredTo - w.measuredFrom) / 1000)} (${since(t0, w.measuredFrom)} to ${since(t0, w.measuredTo)} after the first entry event): runs created ${count(a.entered)} → ${count(b.entered)}, wait timers set ${count(a.scheduled)} → ${count(b.scheduled)}, timers fired ${count(a.fired)} → ${count(b.fired)}, emails sent ${count(a.sent)} → ${count(b.sent)}`;
}

await runBenchmark(main);
