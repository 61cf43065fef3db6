import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingEmail } from '../../modules/journeys/mailer.js';
import { startSmtpSink, type SmtpSink } from '../../testing/smtp-sink.js';
import { SmtpMailer } from './smtp-mailer.js';

const email: OutgoingEmail = {
  messageId: 'act-123@attune.test',
  from: 'Shop <shop@example.com>',
  to: 'ada@example.com',
  subject: 'Your cart misses you — 10% off',
  text: 'Come back, Ada.',
  html: '<p>Come back, <b>Ada</b>.</p>',
  headers: {
    'List-Unsubscribe': '<https://shop.example.com/u/abc>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
};

let sink: SmtpSink;
let mailer: SmtpMailer;

beforeEach(async () => {
  sink = await startSmtpSink();
  mailer = new SmtpMailer({ host: sink.host, port: sink.port, secure: false });
});
afterEach(async () => {
  await mailer.close();
  await sink.close();
});

describe('SmtpMailer', () => {
  it('delivers the message with its addresses, bodies, Message-ID and headers', async () => {
    const result = await mailer.send(email);

    expect(result).toMatchObject({ ok: true, response: expect.stringMatching(/^250/) });
    const [received] = await sink.waitFor(1);
    expect(received).toMatchObject({
      from: 'shop@example.com',
      to: ['ada@example.com'],
      envelope: { from: 'shop@example.com', to: ['ada@example.com'] },
      subject: email.subject,
      text: email.text,
      html: email.html,
      messageId: email.messageId,
    });
    expect(received!.headers['message-id']).toBe('<act-123@attune.test>');
    expect(received!.headers['list-unsubscribe']).toBe('<https://shop.example.com/u/abc>');
    expect(received!.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
  });

  it('logs in when given a user and reuses pooled connections for concurrent sends', async () => {
    const { host, port } = sink;
    const authed = new SmtpMailer({ host, port, secure: false, user: 'journeys', password: 'pw' });
    try {
      const sends = [1, 2, 3, 4, 5, 6].map((n) =>
        authed.send({ ...email, messageId: `m${n}@attune.test`, subject: `n${n}` }),
      );
      expect((await Promise.all(sends)).every((r) => r.ok)).toBe(true);
    } finally {
      await authed.close();
    }
    const received = await sink.waitFor(6);
    expect(received.map((m) => m.subject).sort()).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'n6']);
    expect(received.every((m) => m.authUser === 'journeys')).toBe(true);
  });

  it('reports a 451 as a temporary failure, and the next attempt succeeds', async () => {
    sink.failNext = 1;

    expect(await mailer.send(email)).toMatchObject({ ok: false, permanent: false });
    expect(sink.messages).toHaveLength(0);
    expect(await mailer.send(email)).toMatchObject({ ok: true });
  });

  it('reports a 550 recipient as a permanent failure', async () => {
    sink.rejectRecipients = ['Ada@Example.com'];

    const result = await mailer.send(email);

    expect(result).toMatchObject({ ok: false, permanent: true });
    expect(result.ok || result.error).toMatch(/550|rejected/);
  });

  it('reports a closed port as a temporary failure, quickly', async () => {
    const port = await closedPort();
    const down = new SmtpMailer({ host: '127.0.0.1', port, secure: false, pool: false });
    const started = Date.now();

    const result = await down.send(email);

    expect(result).toMatchObject({ ok: false, permanent: false });
    expect(Date.now() - started).toBeLessThan(2000);
    await down.close();
  });

  it('gives up on a server that never greets after connectionTimeoutMs', async () => {
    const silent = await startSilentServer();
    const port = (silent.server.address() as AddressInfo).port;
    const stuck = new SmtpMailer({
      host: '127.0.0.1',
      port,
      secure: false,
      connectionTimeoutMs: 300,
    });
    const started = Date.now();

    const result = await stuck.send(email);

    expect(result).toMatchObject({ ok: false, permanent: false });
    expect(Date.now() - started).toBeLessThan(2000);
    await stuck.close();
    await silent.close();
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Accepts TCP connections and says nothing: an SMTP server that hangs. */
async function startSilentServer(): Promise<{ server: Server; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket.on('error', () => {})));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
