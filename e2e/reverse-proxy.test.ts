import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type ServerProcess } from './support/server-process.js';

/**
 * Attune behind a plain nginx reverse proxy (Debian's nginx-light, as .ci/run installs it),
 * configured as its docs say for WebSockets, with a short read timeout: the admin API,
 * ingest, decide and a live WebSocket all go through it. Requests come from 127.0.0.3, so
 * the audit log shows whether Attune took the client's address from the proxy.
 */
const writeKey = 'wk_reverse_proxy_test_key';
const adminKey = 'sk_reverse_proxy_admin_key_01';
const clientAddress = '127.0.0.3';
/** nginx closes a proxied connection when the server sends nothing for this long. */
const proxyReadTimeoutS = 1;

let dir: string;
let server: ServerProcess;
let nginx: ChildProcess;
let proxy: string;
/** Debian puts it in /usr/sbin, which a non-root PATH may lack. */
const nginxBin = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function untilListening(port: number): Promise<void> {
  for (let tries = 0; ; tries++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(socket.end() !== undefined));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (tries > 100)
      throw new Error(`nginx did not listen:\n${readFileSync(join(dir, 'error.log'), 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An HTTP call through the proxy from `clientAddress`. */
function call(
  method: string,
  path: string,
  body?: object,
  authorization = `Bearer ${adminKey}`,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(path, proxy);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        method,
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        localAddress: clientAddress,
        headers: { authorization, 'content-type': 'application/json', ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const basic = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

beforeAll(async () => {
  const nginxFound = spawnSync(nginxBin, ['-v']).status === 0;
  if (!nginxFound) throw new Error('nginx is missing: apt-get install nginx-light (see .ci/run)');
  dir = mkdtempSync(join(tmpdir(), 'attune-proxy-'));
  server = await startServer({
    ATTUNE_DATA_DIR: join(dir, 'data'),
    ATTUNE_WRITE_KEY: writeKey,
    ATTUNE_ADMIN_KEY: adminKey,
    ATTUNE_TRUST_PROXY: '127.0.0.1',
    ATTUNE_LIVE_PING_MS: '300',
    ATTUNE_DECIDE_TIME_BUDGET_MS: '2000',
    ATTUNE_DEMO: 'false',
  });
  const upstream = new URL(server.url);
  const port = await freePort();
  for (const temp of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, temp));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${upstream.port};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout ${proxyReadTimeoutS}s;
    }
  }
}
`,
  );
  nginx = spawn(nginxBin, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  await untilListening(port);
  proxy = `http://127.0.0.1:${port}`;
}, 60_000);

afterAll(async () => {
  nginx?.kill('SIGTERM');
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('behind nginx', () => {
  it('takes the client address from the proxy, not from a header the client sent', async () => {
    const created = await call(
      'POST',
      '/v1/segments',
      {
        id: 'cart',
        name: 'Added to cart',
        condition: { type: 'event', event: 'Product Added' },
      },
      undefined,
      // The proxy replaces it with the address it saw.
      { 'x-forwarded-for': '198.51.100.9' },
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const audit = await call('GET', '/v1/audit');
    const entries = audit.body['entries'] as { action: string; ip: string }[];
    expect(entries.find((e) => e.action === 'segment.create')?.ip).toBe(clientAddress);
  });

  it('decides, and keeps a live page current across an idle spell longer than the proxy timeout', async () => {
    const placement = await call('POST', '/v1/placements', {
      id: 'hero',
      name: 'Hero',
      rules: [
        {
          id: 'reminder',
          condition: { type: 'segment', segment: 'cart' },
          variant: { id: 'reminder', payload: { text: 'Your cart misses you' } },
        },
      ],
      fallback: { id: 'default' },
    });
    expect(placement.status, JSON.stringify(placement.body)).toBe(201);
    const decided = await call(
      'POST',
      '/v1/decide',
      { anonymousId: 'visitor-1', placements: ['hero'] },
      basic,
    );
    expect(decided.status).toBe(200);
    expect(decided.body['decisions']).toMatchObject([{ placement: 'hero', variantId: 'default' }]);

    const query = new URLSearchParams({ writeKey, anonymousId: 'visitor-1' });
    const socket = new WebSocket(`${proxy.replace('http', 'ws')}/v1/live?${query.toString()}`, {
      localAddress: clientAddress,
    });
    const messages: { type: string; decisions?: { variantId: string }[] }[] = [];
    let closed: number | null = null;
    socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8'))));
    socket.on('close', (code) => (closed = code));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ type: 'subscribe', placements: ['hero'] }));
    await expect.poll(() => messages.length, { timeout: 5000 }).toBe(1);
    expect(messages[0]).toMatchObject({ type: 'decisions', decisions: [{ variantId: 'default' }] });

    // Idle for more than the proxy's read timeout: the server's pings keep it open.
    await new Promise((resolve) => setTimeout(resolve, proxyReadTimeoutS * 2500));
    expect(closed).toBeNull();

    const tracked = await call(
      'POST',
      '/v1/track',
      { anonymousId: 'visitor-1', event: 'Product Added' },
      basic,
    );
    expect(tracked.status).toBe(200);
    await expect.poll(() => messages.length, { timeout: 10_000 }).toBe(2);
    expect(messages[1]).toMatchObject({
      type: 'decisions',
      decisions: [{ variantId: 'reminder' }],
    });
    socket.close();
  }, 30_000);
});
