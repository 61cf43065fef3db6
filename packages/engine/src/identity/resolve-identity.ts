import {
  identifierKey,
  identifierRank,
  type Identifier,
  type IdentityRules,
} from './identity-rules.js';

/** What the resolver may ask about the current identity graph. */
export interface IdentityView {
  /** The (surviving) profile holding this identifier, if any. */
  ownerOf(identifier: Identifier): string | undefined;
  /** How many identifiers of each type a profile holds. */
  countsOf(profileId: string): Record<string, number>;
  /** When the profile was first seen (event time, epoch ms): the older profile survives a merge. */
  firstSeenOf(profileId: string): number;
}

export interface IdentityConflict {
  profileId: string;
  /** The other profile, when two profiles were not merged. */
  otherProfileId: string | null;
  identifier: Identifier | null;
  reason: string;
}

export interface IdentityPlan {
  /** The profile the event belongs to. */
  profileId: string;
  /** Set when the event starts a new profile (with the id it was offered). */
  created: boolean;
  /** Profiles folded into another, in order; the survivor is the older one. */
  merges: { survivor: string; merged: string }[];
  /** Identifiers newly linked to the event's profile. */
  attach: Identifier[];
  conflicts: IdentityConflict[];
}

export interface IdentityEvent {
  identifiers: Identifier[];
  previousId: string | null;
}

/**
 * Decides where an event's identifiers belong (a pure function of the event and the graph):
 * - identifiers held by different profiles merge those profiles, oldest surviving — unless
 *   the merged profile would exceed a per-type limit (e.g. two user_ids): then they stay
 *   apart and the conflict is recorded;
 * - the event's strongest identifier (user_id before email, phone, other ids, anonymous_id)
 *   decides its profile;
 * - identifiers no profile holds are linked to the event's profile within the limits; a
 *   strongest identifier that cannot be linked starts a profile of its own.
 */
export function resolveIdentity(
  event: IdentityEvent,
  view: IdentityView,
  rules: IdentityRules,
  newProfileId: string,
): IdentityPlan {
  const identifiers = [...event.identifiers];
  if (event.previousId !== null) {
    const asUser = { type: 'user_id', value: event.previousId };
    const asAnonymous = { type: 'anonymous_id', value: event.previousId };
    identifiers.push(view.ownerOf(asUser) !== undefined ? asUser : asAnonymous);
  }
  const unique = dedupe(identifiers).sort(
    (a, b) => identifierRank(a.type, rules) - identifierRank(b.type, rules),
  );
  const conflicts: IdentityConflict[] = [];
  const owners = new Map<string, string>();
  for (const id of unique) {
    const owner = view.ownerOf(id);
    if (owner !== undefined) owners.set(identifierKey(id), owner);
  }
  const byAge = (a: string, b: string): number =>
    view.firstSeenOf(a) - view.firstSeenOf(b) || (a < b ? -1 : a > b ? 1 : 0);
  const owning = [...new Set(owners.values())].sort(byAge);
  const deciding = unique[0];
  const decidingOwner = deciding === undefined ? undefined : owners.get(identifierKey(deciding));

  // Which of the profiles involved can become one.
  const group: string[] = [];
  const counts: Record<string, number> = {};
  const anchor = decidingOwner ?? owning[0];
  // Counts matter only when profiles meet or identifiers are new: not for most events.
  const needsCounts = owning.length > 1 || unique.some((id) => !owners.has(identifierKey(id)));
  if (anchor !== undefined) {
    group.push(anchor);
    if (needsCounts) addCounts(counts, view.countsOf(anchor));
    for (const other of owning) {
      if (other === anchor) continue;
      const otherCounts = view.countsOf(other);
      const blocked = exceeded(counts, otherCounts, rules);
      if (blocked === null) {
        group.push(other);
        addCounts(counts, otherCounts);
      } else {
        conflicts.push({
          profileId: anchor,
          otherProfileId: other,
          identifier: null,
          reason: `limit:${blocked}`,
        });
      }
    }
  }
  group.sort(byAge);
  let profileId = group[0];
  const merges = group.slice(1).map((merged) => ({ survivor: profileId as string, merged }));

  let created = false;
  if (profileId === undefined) {
    profileId = newProfileId;
    created = true;
  } else if (
    deciding !== undefined &&
    decidingOwner === undefined &&
    exceeded(counts, { [deciding.type]: 1 }, rules) !== null
  ) {
    // e.g. a new user_id on a device whose profile already has another user: a new person.
    conflicts.push({
      profileId,
      otherProfileId: newProfileId,
      identifier: deciding,
      reason: `limit:${deciding.type}`,
    });
    profileId = newProfileId;
    created = true;
    for (const key of Object.keys(counts)) delete counts[key];
  }

  const attach: Identifier[] = [];
  for (const id of unique) {
    if (owners.has(identifierKey(id))) continue;
    if (exceeded(counts, { [id.type]: 1 }, rules) === null) {
      attach.push(id);
      counts[id.type] = (counts[id.type] ?? 0) + 1;
    } else {
      conflicts.push({
        profileId,
        otherProfileId: null,
        identifier: id,
        reason: `limit:${id.type}`,
      });
    }
  }
  return { profileId, created, merges, attach, conflicts };
}

function dedupe(identifiers: Identifier[]): Identifier[] {
  const seen = new Set<string>();
  return identifiers.filter((id) => {
    const key = identifierKey(id);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function addCounts(into: Record<string, number>, add: Record<string, number>): void {
  for (const [type, n] of Object.entries(add)) into[type] = (into[type] ?? 0) + n;
}

/** The first type whose limit `base + extra` would break, or null. */
function exceeded(
  base: Record<string, number>,
  extra: Record<string, number>,
  rules: IdentityRules,
): string | null {
  for (const [type, n] of Object.entries(extra)) {
    const limit = rules.limits[type];
    if (limit !== undefined && (base[type] ?? 0) + n > limit) return type;
  }
  return null;
}
