import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Identifier, IdentityRules } from './identity-rules.js';

export type NormalizedIdentifier =
  | { ok: true; identifier: Identifier }
  | { ok: false; type: string; reason: 'blocked' | 'invalid_email' | 'invalid_phone' | 'not_text' };

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * An identifier as it is matched: emails trimmed and lowercased, phones in E.164, other
 * ids trimmed. Junk values (`anonymous`, `null`, all zeros…) are refused, so a value that
 * many unrelated people share cannot merge them.
 */
export function normalizeIdentifier(
  type: string,
  raw: unknown,
  rules: IdentityRules,
): NormalizedIdentifier {
  if (typeof raw !== 'string' && !(typeof raw === 'number' && Number.isFinite(raw))) {
    return { ok: false, type, reason: 'not_text' };
  }
  const text = String(raw).trim();
  if (isBlocked(text, rules)) return { ok: false, type, reason: 'blocked' };
  switch (type) {
    case 'email': {
      const email = text.toLowerCase();
      return emailPattern.test(email)
        ? { ok: true, identifier: { type, value: email } }
        : { ok: false, type, reason: 'invalid_email' };
    }
    case 'phone': {
      const phone = parsePhoneNumberFromString(text, rules.defaultPhoneRegion as CountryCode);
      return phone?.isValid()
        ? { ok: true, identifier: { type, value: phone.number } }
        : { ok: false, type, reason: 'invalid_phone' };
    }
    default:
      return { ok: true, identifier: { type, value: text } };
  }
}

function isBlocked(text: string, rules: IdentityRules): boolean {
  const lower = text.toLowerCase();
  if (rules.blockedValues.includes(lower)) return true;
  // all zeros, or one character repeated (0000, ----, xxxx)
  return text.length > 1 && /^(.)\1*$/.test(text) && /^[0\-_.x*#]$/i.test(text[0] as string);
}
