import type { RetentionService } from './retention.service.js';

export interface RetentionScheduleLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/**
 * Runs the retention purge every interval (and once at start). Ages are measured on the
 * injected clock inside the service; the timer only says when to look.
 */
export class RetentionSchedule {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: {
      retention: Pick<RetentionService, 'purge'>;
      intervalMs: number;
      logger: RetentionScheduleLogger;
    },
  ) {}

  start(): void {
    if (this.timer !== null) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.deps.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** One purge; failures are logged, not thrown. */
  async tick(): Promise<void> {
    try {
      const result = await this.deps.retention.purge();
      if (result.purged > 0) this.deps.logger.info({ ...result }, 'retention purge');
    } catch (error) {
      this.deps.logger.error({ err: error }, 'retention purge failed');
    }
  }
}
