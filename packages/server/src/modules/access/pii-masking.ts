import {
  normalizePiiKey,
  rewriteMessagePii,
  rewriteTraitsPii,
  type PiiLeaf,
  type PiiPolicy,
} from '@attune/engine';

/**
 * Response shapes that carry personal data, named by the routes that return them
 * (`config.pii`). Masking knows each shape; routes only say which they return.
 */
export type PiiShape =
  | 'profile' // ProfileView
  | 'profile_search' // { profiles: ProfileView[] }
  | 'events' // { events: StoredEvent[] }
  | 'merges' // { merges: { identifiers }[] }
  | 'conflicts'; // { conflicts: { identifier }[] }

type Json = Record<string, unknown>;
interface Identifier {
  type: string;
  value: string;
}

/**
 * What a role without `profiles:read_pii` sees instead of a PII value. An email keeps its
 * first character and its domain (`a***@example.com`): enough to tell test accounts from
 * customers or spot a company's domain, not enough to contact anyone. Everything else
 * becomes `[masked]`: a phone's or a name's first characters identify too much.
 */
export function maskLeaf(value: PiiLeaf): string {
  if (typeof value === 'string') {
    const at = value.lastIndexOf('@');
    if (at > 0 && at < value.length - 1) return `${value[0]}***${value.slice(at)}`;
  }
  return '[masked]';
}

/** A copy of the payload with its PII leaves masked; other values are shared, not copied. */
export function maskPii(shape: PiiShape, payload: unknown, policy: PiiPolicy): unknown {
  if (!isObject(payload)) return payload;
  switch (shape) {
    case 'profile':
      return maskProfile(payload, policy);
    case 'profile_search':
      return mapList(payload, 'profiles', (p) => maskProfile(p, policy));
    case 'events':
      return mapList(payload, 'events', (event) =>
        isObject(event['message'])
          ? { ...event, message: rewriteMessagePii(event['message'], policy, maskLeaf) }
          : event,
      );
    case 'merges':
      return mapList(payload, 'merges', (merge) => ({
        ...merge,
        identifiers: maskIdentifiers(merge['identifiers'], policy),
      }));
    case 'conflicts':
      return mapList(payload, 'conflicts', (conflict) => ({
        ...conflict,
        identifier: isObject(conflict['identifier'])
          ? maskIdentifier(conflict['identifier'] as unknown as Identifier, policy)
          : conflict['identifier'],
      }));
  }
}

function maskProfile(profile: Json, policy: PiiPolicy): Json {
  return {
    ...profile,
    identifiers: maskIdentifiers(profile['identifiers'], policy),
    traits: isObject(profile['traits'])
      ? rewriteTraitsPii(profile['traits'], policy, maskLeaf)
      : profile['traits'],
    // Computed traits may copy a PII trait (a `latest email`); the same keys are masked.
    computed: isObject(profile['computed'])
      ? rewriteTraitsPii(profile['computed'], policy, maskLeaf)
      : profile['computed'],
  };
}

/** Identifiers of a PII kind (email, phone) are masked; ids (user_id, anonymous_id) are not. */
function maskIdentifiers(value: unknown, policy: PiiPolicy): unknown {
  if (!Array.isArray(value)) return value;
  return (value as unknown[]).map((item) =>
    isObject(item) ? maskIdentifier(item as unknown as Identifier, policy) : item,
  );
}

function maskIdentifier(identifier: Identifier, policy: PiiPolicy): Identifier {
  return policy.keys.has(normalizePiiKey(identifier.type))
    ? { ...identifier, value: maskLeaf(identifier.value) }
    : identifier;
}

function mapList(payload: Json, field: string, map: (item: Json) => Json): Json {
  const list = payload[field];
  if (!Array.isArray(list)) return payload;
  const masked = (list as unknown[]).map((item) => (isObject(item) ? map(item) : item));
  return { ...payload, [field]: masked };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
