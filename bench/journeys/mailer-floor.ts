/**
 * The mailer floor: the most emails/s Attune's own SMTP adapter (SmtpMailer, the class the
 * server sends with: nodemailer, 4 pooled connections) gets into the counting sink from this
 * process, with `concurrency` sends in flight like the executor, for a fixed time. What the
 * journey engine's actions/s is compared with.
 */
import { SmtpMailer } from '../../packages/server/src/adapters/smtp/smtp-mailer.js';
import { startSmtpCounter } from './smtp-counter.js';

export interface FloorResult {
  sent: number;
  failed: number;
  seconds: number;
  perSecond: number;
  /** The first few failures. */
  errors: string[];
}

export async function mailerFloor(seconds: number, concurrency: number): Promise<FloorResult> {
  const sink = await startSmtpCounter();
  const mailer = new SmtpMailer({
    host: sink.host,
    port: sink.port,
    secure: false,
    connectionTimeoutMs: 10_000,
  });
  let next = 0;
  let failed = 0;
  const errors: string[] = [];
  const started = performance.now();
  const until = started + seconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) {
          const i = next++;
          const result = await mailer.send({
            messageId: `floor-${i}@attune`,
            from: 'Attune <no-reply@localhost>',
            to: `u${i}@bench.example`,
            subject: `Hi Person ${i}`,
            text: `Hello Person ${i}`,
            headers: {
              'List-Unsubscribe': '<http://localhost/v1/unsubscribe/x>',
              'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            },
          });
          if (!result.ok) {
            failed++;
            if (errors.length < 3) errors.push(result.error);
          }
        }
      }),
    );
  } finally {
    await mailer.close();
  }
  const elapsed = (performance.now() - started) / 1000;
  const sent = sink.arrivals.length;
  await sink.close();
  return { sent, failed, seconds: elapsed, perSecond: sent / elapsed, errors };
}
