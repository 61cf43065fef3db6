import type { Identifier, IdentityRules } from './identity-rules.js';
import { normalizeIdentifier } from './normalize-identifier.js';

export interface RejectedIdentifier {
  type: string;
  reason: string;
}

export interface ExtractedIdentifiers {
  identifiers: Identifier[];
  /**
   * An alias's previousId: it links to whichever profile holds it as a user_id or an
   * anonymous_id; when none does, it is attached as an anonymous_id.
   */
  previousId: string | null;
  /** Values that looked like identifiers but were refused (counted in data quality). */
  rejected: RejectedIdentifier[];
}

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;

/**
 * The identifiers a Segment message carries: userId, anonymousId, alias previousId,
 * email and phone from traits (identify/group traits and context.traits), and
 * context.externalIds[] ({id, type}). Deduplicated, in a stable order.
 */
export function extractIdentifiers(message: Json, rules: IdentityRules): ExtractedIdentifiers {
  const candidates: [string, unknown][] = [];
  candidates.push(['user_id', message['userId']], ['anonymous_id', message['anonymousId']]);
  const context = asObject(message['context']);
  for (const traits of [
    message['type'] === 'identify' ? asObject(message['traits']) : undefined,
    asObject(context?.['traits']),
  ]) {
    if (traits === undefined) continue;
    candidates.push(['email', traits['email']], ['phone', traits['phone']]);
  }
  const external = context?.['externalIds'];
  if (Array.isArray(external)) {
    for (const entry of external) {
      const item = asObject(entry);
      if (item !== undefined && typeof item['type'] === 'string')
        candidates.push([item['type'].trim().toLowerCase(), item['id']]);
    }
  }

  const identifiers: Identifier[] = [];
  const rejected: RejectedIdentifier[] = [];
  const seen = new Set<string>();
  for (const [type, raw] of candidates) {
    if (raw !== undefined && raw !== null) add(type, raw);
  }
  let previousId: string | null = null;
  if (message['type'] === 'alias' && message['previousId'] !== undefined) {
    const previous = normalizeIdentifier('alias', message['previousId'], rules);
    if (previous.ok) previousId = previous.identifier.value;
    else rejected.push({ type: 'alias', reason: previous.reason });
  }
  return { identifiers, previousId, rejected };

  function add(type: string, raw: unknown): void {
    const normalized = normalizeIdentifier(type, raw, rules);
    if (!normalized.ok) {
      if (normalized.reason !== 'not_text' || raw !== '')
        rejected.push({ type, reason: normalized.reason });
      return;
    }
    const key = `${normalized.identifier.type}:${normalized.identifier.value}`;
    if (seen.has(key)) return;
    seen.add(key);
    identifiers.push(normalized.identifier);
  }
}
