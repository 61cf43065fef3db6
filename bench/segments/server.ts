/**
 * Attune as a child process on a given data directory, and the few admin calls the
 * benchmark makes: define segments, read their status, wait for the processor.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SegmentView } from '@attune/contracts';
import { scrapeMetrics } from '../ingest/attune-probe.js';
import { startNode, type NodeChild } from '../ingest/processes.js';
import type { SegmentDefinition } from './segment-mix.js';

export const writeKey = 'wk_bench_segments_write_key';
export const adminKey = 'sk_bench_segments_admin_key_000';
export const authorization = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
const stopGraceMs = 10_000;
const adminHeaders = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };

export class AttuneServer {
  private constructor(
    readonly child: NodeChild,
    readonly url: string,
  ) {}

  /** Starts `node <cli> serve` on `dataDir`; with `processor: false`, without the processor. */
  static async start(
    cli: string,
    dataDir: string,
    options: { processor: boolean; nodeArgs?: string[]; env?: Record<string, string> },
  ): Promise<AttuneServer> {
    const child = startNode('attune', [...(options.nodeArgs ?? []), cli, 'serve'], {
      env: {
        HOST: '127.0.0.1',
        PORT: '0',
        ATTUNE_DATA_DIR: dataDir,
        ATTUNE_WRITE_KEY: writeKey,
        ATTUNE_ADMIN_KEY: adminKey,
        ATTUNE_LOG_LEVEL: 'warn',
        ATTUNE_PROCESSOR: String(options.processor),
        // The probes poll with the admin key every millisecond: not what the limit is for.
        ATTUNE_RATE_LIMIT_SECRET: '100000',
        ATTUNE_RATE_LIMIT_SECRET_BURST: '100000',
        ...options.env,
      },
    });
    const [, url = ''] = await child.waitForOutput(/Attune is listening on (http:\S+)/, 120_000);
    return new AttuneServer(child, url);
  }

  async stop(): Promise<void> {
    const exit = await this.child.stop(stopGraceMs);
    if (exit.signal === 'SIGKILL') {
      console.log(
        `      warning: attune did not stop within ${stopGraceMs / 1000} s of SIGTERM; killed`,
      );
    } else if (exit.code !== 0) {
      process.stderr.write(
        `warning: attune exited with code ${exit.code} (signal ${exit.signal}) on SIGTERM\n${this.child.output()}\n`,
      );
    }
  }

  async admin<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: adminHeaders,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  /** Defines the segments one by one, in order (references come after what they refer to). */
  async createSegments(definitions: readonly SegmentDefinition[]): Promise<void> {
    for (const definition of definitions) await this.admin('POST', '/v1/segments', definition);
  }

  async segments(): Promise<SegmentView[]> {
    return (await this.admin<{ segments: SegmentView[] }>('GET', '/v1/segments')).segments;
  }

  /**
   * Polls GET /v1/segments until every segment is `ready`; resolves with the last listing,
   * or rejects after `timeoutMs`. `onPoll` sees each listing (progress).
   */
  async waitAllReady(
    timeoutMs: number,
    onPoll: (segments: SegmentView[]) => void = () => {},
  ): Promise<SegmentView[]> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const segments = await this.segments();
      onPoll(segments);
      if (segments.every((s) => s.status?.state === 'ready')) return segments;
      if (performance.now() > deadline) {
        const waiting = segments.filter((s) => s.status?.state !== 'ready');
        throw new Error(
          `${waiting.length} segments not ready after ${timeoutMs / 1000} s, e.g. ${JSON.stringify(waiting[0]?.status)}`,
        );
      }
      await sleep(100);
    }
  }

  /**
   * Polls /metrics until the log has not grown and the processor has had nothing to do
   * for `quietMs` (outboxes announce memberships into the log for a while after the
   * processor first catches up); resolves with the seconds it took.
   */
  async waitQuiet(timeoutMs: number, quietMs = 1500): Promise<number> {
    const started = performance.now();
    let last = -1;
    let quietSince = performance.now();
    for (;;) {
      const metrics = await scrapeMetrics(this.url);
      const now = performance.now();
      if (metrics.lastOffset !== last || metrics.lag !== 0) {
        last = metrics.lastOffset;
        quietSince = now;
      } else if (now - quietSince >= quietMs) return (now - started) / 1000;
      if (now - started > timeoutMs)
        throw new Error(`Attune still busy after ${timeoutMs / 1000} s (lag ${metrics.lag})`);
      await sleep(250);
    }
  }

  /** Polls /metrics until the processor has applied every event; resolves with the seconds. */
  async waitCaughtUp(timeoutMs: number, onPoll: (lag: number) => void = () => {}): Promise<number> {
    const started = performance.now();
    for (;;) {
      const metrics = await scrapeMetrics(this.url);
      if (metrics.lag === undefined) throw new Error('/metrics has no processor lag');
      onPoll(metrics.lag);
      if (metrics.lag === 0) return (performance.now() - started) / 1000;
      if (performance.now() - started > timeoutMs) {
        throw new Error(`processor lag still ${metrics.lag} after ${timeoutMs / 1000} s`);
      }
      await sleep(100);
    }
  }
}
