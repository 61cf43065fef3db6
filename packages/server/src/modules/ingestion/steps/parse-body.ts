import { ok, reject, type StepOutcome } from './step-outcome.js';

/** Step 1: the raw body as JSON. */
export function parseBody(raw: string): StepOutcome<unknown> {
  if (raw.length === 0)
    return reject('invalid_json', 'The request body is empty; send a JSON object');
  try {
    return ok(JSON.parse(raw) as unknown);
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : 'unreadable';
    return reject('invalid_json', `The request body is not valid JSON: ${reason}`);
  }
}
