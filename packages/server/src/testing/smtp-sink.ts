import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/** One message as the sink received and parsed it. */
export interface ReceivedEmail {
  /** The address in the From header (display name dropped). */
  from: string;
  /** The addresses in the To header. */
  to: string[];
  /** What the client asked the server to deliver (MAIL FROM / accepted RCPT TO). */
  envelope: { from: string; to: string[] };
  subject: string;
  text: string;
  html: string;
  /** Without angle brackets, comparable with `OutgoingEmail.messageId`. */
  messageId: string;
  /** Lower-cased names, unfolded raw values; the first one wins for repeated headers. */
  headers: Record<string, string>;
  raw: string;
  /** The user name the client logged in with, or null. */
  authUser: string | null;
}

export interface SmtpSinkOptions {
  /** Answer the next n messages with 451 (temporary failure). */
  failNext?: number;
  /** Answer 550 for RCPT TO of these addresses (case-insensitive). */
  rejectRecipients?: string[];
}

/** A real SMTP server on 127.0.0.1 for tests. `failNext` and `rejectRecipients` may be changed any time. */
export interface SmtpSink {
  host: string;
  port: number;
  /** Every accepted message in arrival order; a message is here before the client's send resolves. */
  messages: ReceivedEmail[];
  failNext: number;
  rejectRecipients: string[];
  /** Resolves with all messages once at least `count` arrived (default timeout 5 s). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedEmail[]>;
  close(): Promise<void>;
}

interface Waiter {
  count: number;
  resolve: (messages: ReceivedEmail[]) => void;
}

/** Starts an SMTP sink: plain text, optional auth (any user/password is accepted). */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const waiters = new Set<Waiter>();
  const server: SMTPServer = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // A reverse DNS lookup tells a test nothing, and a slow resolver would delay every greeting.
    disableReverseLookup: true,
    // Pooled clients keep connections open; do not wait the default 30 s for them on close.
    closeTimeout: 100,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
    onRcptTo: (address, _session, callback) => {
      const rejected = sink.rejectRecipients.some(
        (r) => r.toLowerCase() === address.address.toLowerCase(),
      );
      callback(rejected ? smtpError(550, `5.1.1 <${address.address}> mailbox unavailable`) : null);
    },
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (sink.failNext > 0) {
          sink.failNext -= 1;
          callback(smtpError(451, '4.3.0 temporary failure, try again later'));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            sink.messages.push(toReceived(parsed, session, raw));
            for (const waiter of waiters) {
              if (sink.messages.length < waiter.count) continue;
              waiters.delete(waiter);
              waiter.resolve([...sink.messages]);
            }
            callback(null);
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // Clients that hang up mid-session emit errors; a test server must not crash the run on them.
  server.on('error', () => {});

  const sink: SmtpSink = {
    host: '127.0.0.1',
    port: (server.server.address() as AddressInfo).port,
    messages: [],
    failNext: options.failNext ?? 0,
    rejectRecipients: options.rejectRecipients ?? [],
    waitFor: (count, timeoutMs = 5000) => {
      if (sink.messages.length >= count) return Promise.resolve([...sink.messages]);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const got = sink.messages.map((m) => JSON.stringify(m.subject)).join(', ');
          reject(new Error(`expected ${count} emails within ${timeoutMs} ms, got: [${got}]`));
        }, timeoutMs);
        const waiter: Waiter = {
          count,
          resolve: (messages) => {
            clearTimeout(timer);
            resolve(messages);
          },
        };
        waiters.add(waiter);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return sink;
}

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

function toReceived(parsed: ParsedMail, session: SMTPServerSession, raw: string): ReceivedEmail {
  const to = [parsed.to ?? []].flat().flatMap((group) => group.value);
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) {
    const value = line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ');
    headers[key] ??= value.trim();
  }
  const { mailFrom, rcptTo } = session.envelope;
  return {
    from: parsed.from?.value[0]?.address ?? '',
    to: to.map((a) => a.address ?? ''),
    envelope: { from: mailFrom ? mailFrom.address : '', to: rcptTo.map((r) => r.address) },
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: parsed.html || '',
    messageId: (parsed.messageId ?? '').replace(/^<|>$/g, ''),
    headers,
    raw,
    authUser: typeof session.user === 'string' ? session.user : null,
  };
}
