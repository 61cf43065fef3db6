import { UsageError } from './usage-error.js';

/** A problem+json answer of the server, as the CLI reports it. */
export class ApiProblemError extends UsageError {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly field: string | undefined,
    readonly detail: string,
    /** What was being done, to start the message: a file name, a segment id… */
    context: string,
  ) {
    const where = [code, field === undefined ? undefined : `at ${field}`]
      .filter((part) => part !== undefined)
      .join(' ');
    super(`${context}: ${where === '' ? `HTTP ${status}` : where}: ${detail}`);
    this.name = 'ApiProblemError';
  }
}

interface ProblemBody {
  code?: unknown;
  field?: unknown;
  detail?: unknown;
}

/** The admin API of a running Attune, for CLI commands (secret key as a bearer token). */
export class AdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly adminKey: string,
  ) {}

  /**
   * Sends a request and returns the parsed JSON answer (undefined for 204); a 4xx/5xx
   * throws an ApiProblemError whose message starts with `context`.
   */
  async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    context: string,
    body?: unknown,
  ): Promise<T> {
    let url: URL;
    try {
      url = new URL(path, this.baseUrl);
    } catch {
      throw new UsageError(`--url ${this.baseUrl} is not a URL`);
    }
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.adminKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new UsageError(
        `cannot reach Attune at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      );
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (res.ok) return parsed as T;
    const problem = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as ProblemBody;
    throw new ApiProblemError(
      res.status,
      typeof problem.code === 'string' ? problem.code : undefined,
      typeof problem.field === 'string' ? problem.field : undefined,
      typeof problem.detail === 'string' ? problem.detail : text.slice(0, 200) || res.statusText,
      context,
    );
  }
}
