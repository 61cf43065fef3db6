import { errorCodes, isErrorCode } from '@attune/contracts';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import type { TestApp } from '../test-app.fixture.js';
import type { FuzzRequest, Sibling } from './fuzz-request.fixture.js';

type Response = Awaited<ReturnType<TestApp['app']['http']['inject']>>;

/**
 * Sends generated requests through `inject` (no sockets) and checks the answer of each:
 * never 5xx, and every 4xx an RFC 9457 problem with a registered code. Counts what it sent
 * per target, so the test can assert the number of payloads is real.
 */
export class FuzzHarness {
  private readonly sent = new Map<string, number>();
  /** Siblings whose request was answered; each must end up stored and processed. */
  readonly siblings: Sibling[] = [];
  /** Segment ids the fuzzer managed to create, deleted again to keep the processor light. */
  readonly createdSegments: string[] = [];

  /** `dumpFile`: where to write the whole payload of a failing request, to replay it. */
  constructor(
    private readonly t: TestApp,
    private readonly dumpFile?: string,
  ) {}

  get total(): number {
    let n = 0;
    for (const count of this.sent.values()) n += count;
    return n;
  }

  counts(): Record<string, number> {
    return Object.fromEntries([...this.sent.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Several requests at once: ingest commits them together, as under real load. */
  async sendAll(requests: FuzzRequest[]): Promise<void> {
    await Promise.all(requests.map((r) => this.send(r)));
  }

  async send(request: FuzzRequest): Promise<Response> {
    this.sent.set(request.target, (this.sent.get(request.target) ?? 0) + 1);
    const res = await this.t.app.http.inject({
      method: request.method,
      url: request.url,
      headers: { ...this.authHeader(request.auth), ...request.headers },
      ...(request.payload === undefined ? {} : { payload: request.payload }),
    });
    try {
      checkResponse(request, res);
    } catch (error) {
      if (this.dumpFile !== undefined && request.payload !== undefined)
        writeFileSync(this.dumpFile, request.payload);
      throw error;
    }
    if (request.siblings !== undefined) {
      const code = res.statusCode === 200 ? null : (res.json<{ code?: string }>().code ?? null);
      if (res.statusCode !== 200 && code !== 'batch_rejected')
        fail(request, res, 'a request with valid messages must store them (200 or batch_rejected)');
      this.siblings.push(...request.siblings);
    }
    if (request.target === 'segments.create' && res.statusCode === 201)
      this.createdSegments.push(res.json<{ id: string }>().id);
    return res;
  }

  private authHeader(auth: FuzzRequest['auth']): Record<string, string> {
    if (auth === 'none') return {};
    if (auth === 'write') return { authorization: this.t.basicAuth };
    if (auth === 'admin') return { authorization: this.t.bearerAdmin };
    return { authorization: auth.header };
  }
}

/** Counterexamples print as one short line each: payloads run to hundreds of kilobytes. */
export function printable(request: FuzzRequest): FuzzRequest {
  return Object.assign(request, {
    [fc.toStringMethod]: () =>
      `${request.method} ${request.url.slice(0, 120)} ${describePayload(request)}`,
  });
}

function describePayload(request: FuzzRequest): string {
  const { payload } = request;
  if (payload === undefined) return '';
  if (Buffer.isBuffer(payload))
    return `<${payload.length} bytes: ${payload.subarray(0, 120).toString('hex')}…>`;
  return payload.length > 300 ? `${payload.slice(0, 300)}… (${payload.length} chars)` : payload;
}

export function checkResponse(request: FuzzRequest, res: Response): void {
  if (res.statusCode >= 500) fail(request, res, 'hostile input must never cause a 5xx');
  if (res.statusCode < 400) return;
  if (!/^application\/problem\+json/.test(String(res.headers['content-type'] ?? '')))
    fail(request, res, 'a 4xx must be application/problem+json');
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    return fail(request, res, 'the problem body is not JSON');
  }
  const { code, status, title, detail, type, field } = body;
  if (typeof code !== 'string' || !isErrorCode(code))
    fail(request, res, `unregistered problem code ${String(code)}`);
  if (errorCodes[code].status !== res.statusCode || status !== res.statusCode)
    fail(request, res, `status ${res.statusCode} does not match code ${String(code)}`);
  if (typeof title !== 'string' || typeof detail !== 'string' || typeof type !== 'string')
    fail(request, res, 'a problem needs type, title and detail');
  // `field` is a JSON pointer into the request ('' for the whole body).
  if (
    field !== undefined &&
    (typeof field !== 'string' || (field !== '' && !field.startsWith('/')))
  )
    fail(request, res, `field ${JSON.stringify(field)} is not a JSON pointer`);
}

function fail(request: FuzzRequest, res: Response, why: string): never {
  const payload = describePayload(request);
  throw new Error(
    `${why}\n  ${request.method} ${request.url.slice(0, 200)} [${request.target}] → ${res.statusCode}\n` +
      `  headers: ${JSON.stringify(request.headers ?? {})}\n  payload: ${payload}\n  response: ${res.body.slice(0, 500)}`,
  );
}
