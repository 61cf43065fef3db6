/**
 * A counting SMTP sink for the journeys benchmark: speaks just enough ESMTP for nodemailer
 * (EHLO with PIPELINING, MAIL, RCPT, DATA, RSET, NOOP, QUIT), accepts every message, and
 * records when each one arrived and its Message-ID. It neither parses MIME nor keeps bodies.
 *
 * Not smtp-server: that holds every new connection's greeting for 100 ms (to catch early
 * talkers), and nodemailer's pool opens a new connection every 100 messages, so that sink
 * would cap what it measures. A real MTA greets at once.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Arrival {
  /** Date.now() when the final "." of the message was read. */
  at: number;
  /** The Message-ID header without angle brackets ('' when absent). */
  messageId: string;
}

export interface SmtpCounter {
  host: string;
  port: number;
  /** Every accepted message, in arrival order. */
  readonly arrivals: Arrival[];
  /** Connections accepted since the start. */
  readonly connections: number;
  /** Commands answered with an error (should stay 0). */
  readonly protocolErrors: number;
  close(): Promise<void>;
}

const dataEnd = '\r\n.\r\n';
const messageIdPattern = /^message-id:\s*<([^>\r\n]*)>/im;

export async function startSmtpCounter(): Promise<SmtpCounter> {
  const arrivals: Arrival[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let protocolErrors = 0;

  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    let inData = false;
    let buffer = '';
    // Header part of the message being received (Message-ID is among the first lines).
    let data = '';

    const reply = (text: string): void => void socket.write(`${text}\r\n`);

    const command = (line: string): void => {
      const verb = line.slice(0, 4).toUpperCase();
      switch (verb) {
        case 'EHLO':
          return reply('250-bench.sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8');
        case 'HELO':
          return reply('250 bench.sink');
        case 'MAIL':
        case 'RCPT':
        case 'RSET':
        case 'NOOP':
          return reply('250 OK');
        case 'DATA':
          inData = true;
          data = '\r\n';
          return reply('354 go ahead');
        case 'QUIT':
          socket.end('221 bye\r\n');
          return;
        default:
          protocolErrors++;
          return reply('502 not implemented');
      }
    };

    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          data += buffer;
          buffer = '';
          const end = data.indexOf(dataEnd);
          if (end < 0) return;
          const at = Date.now();
          const id = messageIdPattern.exec(data.slice(0, end))?.[1] ?? '';
          arrivals.push({ at, messageId: id });
          buffer = data.slice(end + dataEnd.length);
          data = '';
          inData = false;
          reply('250 queued');
          continue;
        }
        const newline = buffer.indexOf('\r\n');
        if (newline < 0) return;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        command(line);
      }
    });
    socket.write('220 bench.sink ESMTP ready\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    arrivals,
    get connections() {
      return connections;
    },
    get protocolErrors() {
      return protocolErrors;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
