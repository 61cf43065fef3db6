import type { Clock } from '../../platform/clock.js';
import { RfmRecomputeAborted, type RfmService } from './rfm.service.js';

export interface RfmScheduleLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface RfmScheduleDeps {
  rfm: Pick<RfmService, 'recompute' | 'lastComputedAt'>;
  clock: Clock;
  /** How old the breakpoints may get before they are recomputed. */
  intervalMs: number;
  logger: RfmScheduleLogger;
  /** How often to look at their age (default: the interval, at most an hour). */
  checkEveryMs?: number;
}

const hourMs = 3_600_000;

/**
 * Recomputes the RFM breakpoints at start when there are none or they are older than the
 * interval, then whenever they get that old. Ages come from the injected clock; the timer
 * only says when to look, so a clock moved by a test or a suspended machine is caught up.
 */
export class RfmSchedule {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: RfmScheduleDeps) {}

  start(): void {
    if (this.timer !== null) return;
    void this.tick();
    const every = this.deps.checkEveryMs ?? Math.min(this.deps.intervalMs, hourMs);
    this.timer = setInterval(() => void this.tick(), every);
    // Never what keeps the process alive.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Recomputes when due; returns whether it did. Failures are logged, not thrown. */
  async tick(): Promise<boolean> {
    const last = this.deps.rfm.lastComputedAt();
    if (last !== null && this.deps.clock.now() - last < this.deps.intervalMs) return false;
    try {
      const result = await this.deps.rfm.recompute();
      this.deps.logger.info(
        {
          version: result.snapshot?.version ?? null,
          changed: result.changed,
          profilesScanned: result.profilesScanned,
          ms: result.ms,
        },
        'RFM breakpoints recomputed',
      );
      return true;
    } catch (error) {
      if (!(error instanceof RfmRecomputeAborted))
        this.deps.logger.error({ err: error }, 'RFM recompute failed');
      return false;
    }
  }
}
