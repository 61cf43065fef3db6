import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver recorded it. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, e.g. `/hook?x=1`. */
  path: string;
  /** Lower-cased names, as node:http gives them. */
  headers: IncomingHttpHeaders;
  /** The body decoded as UTF-8. */
  body: string;
  /** Date.now() when the request arrived (before any delay). */
  at: number;
}

/** A real HTTP server on 127.0.0.1 for webhook tests. */
export interface HttpReceiver {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Every request in arrival order, recorded before it is answered. */
  requests: ReceivedRequest[];
  /** Statuses for the next requests, in order (replacing what is left of an earlier script); then 200. */
  respondWith(statuses: number[]): void;
  /** Wait this long before answering each request (for timeout tests). */
  delayMs: number;
  /** Resolves with all requests once at least `count` arrived (default timeout 5 s). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Closes the server and every open (keep-alive or delayed) connection. */
  close(): Promise<void>;
}

interface Waiter {
  count: number;
  resolve: (requests: ReceivedRequest[]) => void;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const script: number[] = [];
  const waiters = new Set<Waiter>();
  const delays = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      receiver.requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at,
      });
      for (const waiter of waiters) {
        if (receiver.requests.length < waiter.count) continue;
        waiters.delete(waiter);
        waiter.resolve([...receiver.requests]);
      }
      const status = script.shift() ?? 200;
      const answer = () => {
        delays.delete(timer);
        res.writeHead(status, { 'content-type': 'text/plain' }).end(`status ${status}`);
      };
      const timer = setTimeout(answer, receiver.delayMs);
      delays.add(timer);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

  const receiver: HttpReceiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    delayMs: 0,
    respondWith: (statuses) => {
      script.splice(0, script.length, ...statuses);
    },
    waitFor: (count, timeoutMs = 5000) => {
      if (receiver.requests.length >= count) return Promise.resolve([...receiver.requests]);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const got = receiver.requests.map((r) => `${r.method} ${r.path}`).join(', ');
          reject(new Error(`expected ${count} requests within ${timeoutMs} ms, got: [${got}]`));
        }, timeoutMs);
        const waiter: Waiter = {
          count,
          resolve: (requests) => {
            clearTimeout(timer);
            resolve(requests);
          },
        };
        waiters.add(waiter);
      });
    },
    close: async () => {
      for (const timer of delays) clearTimeout(timer);
      delays.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // close() alone waits for keep-alive and delayed connections to end by themselves.
      server.closeAllConnections();
      await closed;
    },
  };
  return receiver;
}
