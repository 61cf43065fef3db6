import { connect, type Socket } from 'node:net';
import { createTransport, type Transporter } from 'nodemailer';
import type { MailResult, Mailer, OutgoingEmail } from '../../modules/journeys/mailer.js';

export interface SmtpMailerOptions {
  host: string;
  port: number;
  /** Implicit TLS (port 465). When false, STARTTLS is still used if the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  /** Keep up to 4 connections open and reuse them (default true). */
  pool?: boolean;
  /** Bounds connecting and waiting for the greeting, so a dead server fails fast. */
  connectionTimeoutMs?: number;
  /** Pooled connections (default 4). */
  maxConnections?: number;
}

type SocketCallback = (error: Error | null, socket?: { connection: Socket }) => void;

function connectWithoutDelay(options: SmtpMailerOptions, callback: SocketCallback): void {
  const socket = connect({ host: options.host, port: options.port, noDelay: true });
  const timeout = setTimeout(
    () => socket.destroy(new Error('Connection timeout')),
    options.connectionTimeoutMs ?? 30_000,
  );
  socket.once('connect', () => {
    clearTimeout(timeout);
    socket.removeAllListeners('error');
    callback(null, { connection: socket });
  });
  socket.once('error', (error) => {
    clearTimeout(timeout);
    callback(error);
  });
}

/** The Mailer port over SMTP (nodemailer). */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(options: SmtpMailerOptions) {
    const common = {
      host: options.host,
      port: options.port,
      secure: options.secure,
      auth: options.user === undefined ? undefined : { user: options.user, pass: options.password },
      connectionTimeout: options.connectionTimeoutMs,
      greetingTimeout: options.connectionTimeoutMs,
      // Message content comes from templates: never let it pull in local files or URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
    };
    this.transport =
      options.pool === false
        ? createTransport(common)
        : createTransport({
            ...common,
            pool: true,
            maxConnections: options.maxConnections ?? 4,
            // nodemailer leaves Nagle on: each small SMTP command then waits for the server's
            // delayed ACK (~40 ms), capping a connection at ~20 messages/s. Our own socket has
            // it off; implicit TLS (`secure`) is layered on it by nodemailer.
            getSocket: (_options: unknown, callback: SocketCallback) =>
              connectWithoutDelay(options, callback),
          } as Parameters<typeof createTransport>[0]);
  }

  async send(email: OutgoingEmail): Promise<MailResult> {
    try {
      const info = (await this.transport.sendMail({
        messageId: `<${email.messageId}>`,
        from: email.from,
        to: email.to,
        subject: email.subject,
        html: email.html,
        text: email.text,
        headers: email.headers,
      })) as { response?: unknown };
      return { ok: true, response: typeof info.response === 'string' ? info.response : '' };
    } catch (err) {
      return toFailure(err);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/** 5xx replies are final; everything else (4xx, refused, timeouts) may succeed later. */
function toFailure(err: unknown): MailResult {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  const permanent = typeof code === 'number' && code >= 500 && code < 600;
  const error = err instanceof Error ? err.message : String(err);
  return { ok: false, permanent, error };
}
