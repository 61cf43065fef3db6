import type {
  HttpSender,
  WebhookRequest,
  WebhookResult,
} from '../../modules/journeys/http-sender.js';

/** The HttpSender port over Node's global fetch. */
export class FetchHttpSender implements HttpSender {
  async post(request: WebhookRequest): Promise<WebhookResult> {
    const headers = new Headers({ 'content-type': 'application/json' });
    // set(), not a spread: a caller's `Content-Type` replaces ours instead of joining it.
    for (const [name, value] of Object.entries(request.headers)) headers.set(name, value);
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: 'POST',
        body: request.body,
        headers,
        // A redirect is not a delivery; following it would re-post the signed body elsewhere.
        redirect: 'manual',
        signal: AbortSignal.timeout(request.timeoutMs),
      });
    } catch (err) {
      return { ok: false, status: null, error: describe(err, request.timeoutMs) };
    }
    await drain(response);
    if (response.status >= 200 && response.status < 300) {
      return { ok: true, status: response.status };
    }
    return { ok: false, status: response.status, error: `HTTP ${response.status}` };
  }
}

/** Reading the body to the end lets the connection go back to the pool. */
async function drain(response: Response): Promise<void> {
  if (!response.body) return;
  try {
    for await (const _chunk of response.body);
  } catch {
    // The status already decided the outcome; a body cut short (or timed out) changes nothing.
  }
}

function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  if (err instanceof Error) {
    // fetch says only "fetch failed"; the cause holds the useful part (ECONNREFUSED, …).
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}
