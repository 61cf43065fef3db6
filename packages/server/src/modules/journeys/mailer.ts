/** One email as a journey sends it. */
export interface OutgoingEmail {
  /** The Message-ID header (without angle brackets): derived from the action id. */
  messageId: string;
  from: string;
  to: string;
  subject: string;
  html?: string;
  text?: string;
  /** Extra headers, e.g. List-Unsubscribe. */
  headers: Record<string, string>;
}

/** What the receiving server said. */
export type MailResult =
  | { ok: true; response: string }
  /** `permanent`: the server refused for good (5xx); retrying will not help. */
  | { ok: false; permanent: boolean; error: string };

/** The port for sending email (SMTP in production and tests). */
export interface Mailer {
  send(email: OutgoingEmail): Promise<MailResult>;
  close(): Promise<void>;
}
