import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../packages/server/src/testing/smtp-sink.js';
import { startServer, type ServerProcess } from './support/server-process.js';

// A journey's timer survives a SIGKILL: after a restart the email goes out (late, since the
// server was down when it came due) exactly once.
const writeKey = 'wk_e2e_journey_restart';
const adminKey = 'sk_e2e_journey_restart_admin';
const writeAuth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
let dataDir: string;
let sink: SmtpSink;
let server: ServerProcess | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'attune-journey-restart-'));
  sink = await startSmtpSink();
});
afterAll(async () => {
  server?.proc.kill('SIGKILL');
  await sink?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => ({
  ...extra,
  ATTUNE_DATA_DIR: dataDir,
  ATTUNE_WRITE_KEY: writeKey,
  ATTUNE_ADMIN_KEY: adminKey,
  ATTUNE_SMTP_HOST: sink.host,
  ATTUNE_SMTP_PORT: String(sink.port),
  ATTUNE_JOURNEY_TICK_MS: '20',
});

async function api(method: string, path: string, body?: object, auth = `Bearer ${adminKey}`) {
  const res = await fetch(`${server!.url}${path}`, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function waitingAt(step: string): Promise<number> {
  const res = await api('GET', '/v1/journeys/reminder/stats');
  return (res.body['steps'] as Record<string, { waiting: number }>)[step]!.waiting;
}

describe('journeys across a crash', () => {
  it('sends exactly once after a SIGKILL during the wait', async () => {
    server = await startServer(env());
    const created = await api('POST', '/v1/journeys', {
      id: 'reminder',
      name: 'Reminder',
      entry: { event: 'Product Added' },
      start: 'wait',
      steps: {
        wait: { type: 'wait', duration: { amount: 3, unit: 'seconds' }, next: 'mail' },
        mail: {
          type: 'action',
          action: {
            type: 'email',
            purpose: 'analytics',
            subject: 'Still thinking about {{ event.properties.name }}?',
            text: 'It is still here.',
          },
        },
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const batch = await api(
      'POST',
      '/v1/batch',
      {
        batch: [
          { type: 'identify', userId: 'ivy', traits: { email: 'ivy@example.com' } },
          { type: 'track', userId: 'ivy', event: 'Product Added', properties: { name: 'Kayak' } },
        ],
      },
      writeAuth,
    );
    expect(batch.status).toBe(200);
    await expect.poll(() => waitingAt('wait'), { timeout: 10_000, interval: 50 }).toBe(1);

    server.proc.kill('SIGKILL');
    await server.exited;
    await sleep(3500); // the timer comes due while the server is down
    expect(sink.messages).toHaveLength(0);

    server = await startServer(env());
    const [mail] = await sink.waitFor(1, 10_000);
    expect(mail!.to).toEqual(['ivy@example.com']);
    expect(mail!.subject).toBe('Still thinking about Kayak?');
    await sleep(1000);
    expect(sink.messages).toHaveLength(1);
    const stats = await api('GET', '/v1/journeys/reminder/stats');
    expect(stats.body).toMatchObject({
      totals: { entered: 1, completed: 1, active: 0 },
      steps: { mail: { sent: 1, failed: 0 } },
    });

    // And once more across a graceful restart: nothing is sent again.
    await server.stop();
    server = await startServer(env());
    await sleep(1000);
    expect(sink.messages).toHaveLength(1);
    await server.stop();
  }, 60_000);

  it('loses and repeats no email when stopped in the middle of a burst of sends', async () => {
    const slow = { ATTUNE_JOURNEY_STEPS_PER_SECOND: '60', ATTUNE_JOURNEY_CONCURRENCY: '2' };
    server = await startServer(env(slow));
    const created = await api('POST', '/v1/journeys', {
      id: 'welcome',
      name: 'Welcome',
      entry: { event: 'Signed Up' },
      start: 'mail',
      steps: {
        mail: {
          type: 'action',
          action: { type: 'email', purpose: 'analytics', subject: 'Welcome', text: 'Hello' },
        },
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const people = Array.from({ length: 150 }, (_, i) => `p${i}`);
    const batch = await api(
      'POST',
      '/v1/batch',
      {
        batch: people.flatMap((userId) => [
          { type: 'identify', userId, traits: { email: `${userId}@example.com` } },
          { type: 'track', userId, event: 'Signed Up' },
        ]),
      },
      writeAuth,
    );
    expect(batch.status).toBe(200);
    const before = sink.messages.length;
    await expect
      .poll(() => sink.messages.length - before, { timeout: 15_000, interval: 20 })
      .toBeGreaterThanOrEqual(40);
    await server.stop(); // SIGTERM while about 100 are still to go
    const atStop = sink.messages.length - before;
    expect(atStop).toBeLessThan(150);
    server = await startServer(env(slow));
    await sink.waitFor(before + 150, 20_000);
    await sleep(500);
    const welcomes = sink.messages.slice(before);
    expect(welcomes).toHaveLength(150);
    expect(new Set(welcomes.map((m) => m.to[0])).size).toBe(150);
    const stats = await api('GET', '/v1/journeys/welcome/stats');
    expect(stats.body).toMatchObject({ steps: { mail: { sent: 150, failed: 0 } } });
    await server.stop();
  }, 60_000);
});
