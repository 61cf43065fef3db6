/** Where imported messages go: the running server's batch API. */
export interface IngestSink {
  /** Sends one batch; returns the indexes rejected, with why. */
  send(
    batch: Record<string, unknown>[],
  ): Promise<{ index: number; code: string; detail: string }[]>;
}

interface BatchProblem {
  code?: string;
  detail?: string;
  rejected?: { index: number; code: string; detail: string }[];
}

/**
 * Posts to `/v1/batch` like any Segment SDK, so imports get the same validation, dedup and
 * durability as live events. Retries 429/5xx and network errors with backoff.
 */
export class HttpIngestSink implements IngestSink {
  private readonly authorization: string;

  constructor(
    private readonly url: string,
    writeKey: string,
    private readonly maxAttempts = 8,
  ) {
    this.authorization = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
  }

  async send(
    batch: Record<string, unknown>[],
  ): Promise<{ index: number; code: string; detail: string }[]> {
    // No sentAt: imported history is not clock-skewed, and skew correction would move it.
    const body = JSON.stringify({ batch });
    for (let attempt = 1; ; attempt++) {
      let status: number;
      let problem: BatchProblem = {};
      try {
        const res = await fetch(new URL('/v1/batch', this.url), {
          method: 'POST',
          headers: { authorization: this.authorization, 'content-type': 'application/json' },
          body,
        });
        status = res.status;
        problem = (await res.json().catch(() => ({}))) as BatchProblem;
      } catch (error) {
        if (attempt >= this.maxAttempts)
          throw new Error(`cannot reach ${this.url}: ${(error as Error).message}`);
        await sleep(attempt);
        continue;
      }
      if (status === 200) return [];
      if (status === 400 && problem.code === 'batch_rejected') return problem.rejected ?? [];
      if ((status === 429 || status >= 500) && attempt < this.maxAttempts) {
        await sleep(attempt);
        continue;
      }
      throw new Error(
        `the server refused the import: ${status} ${problem.code ?? ''} ${problem.detail ?? ''}`.trim(),
      );
    }
  }
}

function sleep(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 100 * 2 ** attempt)));
}
