import type { ErrorCode } from '@attune/contracts';
import type { FieldIssue } from '@attune/engine';

/**
 * What an ingestion step decided. `drop` is for events deliberately not stored (consent,
 * suppression) and is not an error to the client; `reject` is bad input (`issues`: the
 * fields at fault, counted for the quality report, when a step knows them).
 */
export type StepOutcome<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'drop'; reason: string }
  | {
      kind: 'reject';
      code: ErrorCode;
      field?: string;
      detail: string;
      issues?: readonly FieldIssue[];
      /** For a refusal that may succeed later (rate limits): the Retry-After, seconds. */
      retryAfterSeconds?: number;
    };

export type Rejection = Extract<StepOutcome<never>, { kind: 'reject' }>;

export function ok<T>(value: T): StepOutcome<T> {
  return { kind: 'ok', value };
}

export function reject(code: ErrorCode, detail: string, field?: string): Rejection {
  return field === undefined
    ? { kind: 'reject', code, detail }
    : { kind: 'reject', code, field, detail };
}

export function drop(reason: string): StepOutcome<never> {
  return { kind: 'drop', reason };
}
