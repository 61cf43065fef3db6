import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHttpReceiver, type HttpReceiver } from '../../testing/http-receiver.js';
import { FetchHttpSender } from './fetch-http-sender.js';

const sender = new FetchHttpSender();
let receiver: HttpReceiver;

beforeEach(async () => {
  receiver = await startHttpReceiver();
});
afterEach(async () => {
  await receiver.close();
});

describe('FetchHttpSender', () => {
  it('posts the body bytes and headers exactly', async () => {
    // Key order, spacing and non-ASCII must survive: a signature covers these bytes.
    const body = '{"b":1,  "a":"héllo ✓","n":[1.50]}';

    const result = await sender.post({
      url: `${receiver.url}/hooks/in?src=attune`,
      body,
      headers: { 'X-Attune-Signature': 't=1,v1=abc', 'User-Agent': 'attune-test' },
      timeoutMs: 2000,
    });

    expect(result).toEqual({ ok: true, status: 200 });
    const [request] = await receiver.waitFor(1);
    expect(request).toMatchObject({ method: 'POST', path: '/hooks/in?src=attune', body });
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'x-attune-signature': 't=1,v1=abc',
      'user-agent': 'attune-test',
    });
  });

  it("lets the request's Content-Type replace the default rather than join it", async () => {
    const headers = { 'Content-Type': 'application/cloudevents+json' };
    await sender.post({ url: receiver.url, body: '{}', headers, timeoutMs: 2000 });

    expect(receiver.requests[0]!.headers['content-type']).toBe('application/cloudevents+json');
  });

  it('reports a non-2xx status as a failed attempt, and each attempt separately', async () => {
    receiver.respondWith([500, 302]);
    const post = () => sender.post({ url: receiver.url, body: '{}', headers: {}, timeoutMs: 2000 });

    expect(await post()).toEqual({ ok: false, status: 500, error: 'HTTP 500' });
    expect(await post()).toEqual({ ok: false, status: 302, error: 'HTTP 302' });
    expect(await post()).toEqual({ ok: true, status: 200 });
    expect(receiver.requests).toHaveLength(3);
  });

  it('gives up on a slow receiver after timeoutMs', async () => {
    receiver.delayMs = 3000;
    const started = Date.now();

    const result = await sender.post({
      url: receiver.url,
      body: '{}',
      headers: {},
      timeoutMs: 200,
    });

    expect(result).toMatchObject({ ok: false, status: null, error: expect.stringMatching(/time/) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('reports a refused connection as a failed attempt without status', async () => {
    const port = await closedPort();

    const result = await sender.post({
      url: `http://127.0.0.1:${port}/`,
      body: '{}',
      headers: {},
      timeoutMs: 2000,
    });

    expect(result).toMatchObject({ ok: false, status: null });
    expect(result.ok || result.error).toMatch(/ECONNREFUSED/);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
