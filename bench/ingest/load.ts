/**
 * The load generator, run in its own process: autocannon POSTing stamped batch bodies.
 * Input (env): BENCH_URL, BENCH_DURATION (s), BENCH_CONNECTIONS, BENCH_AUTH, BENCH_FIRST
 * (first request number, so rounds never repeat a messageId). Prints one JSON line.
 */
import autocannon from 'autocannon';
import { makeTemplates, stamp } from './payloads.js';

const url = process.env['BENCH_URL'] ?? '';
const duration = Number(process.env['BENCH_DURATION'] ?? 10);
const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 16);
let next = Number(process.env['BENCH_FIRST'] ?? 0);
const templates = makeTemplates(200);

const result = await autocannon({
  url,
  method: 'POST',
  connections,
  duration,
  headers: { 'content-type': 'application/json', authorization: process.env['BENCH_AUTH'] ?? '' },
  requests: [
    {
      setupRequest: (request) => {
        const n = next++;
        return { ...request, body: stamp(templates[n % templates.length]!, n) };
      },
    },
  ],
});

process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    nextRequest: next,
  })}\n`,
);
