import { RecencyCache, type Identifier, type IdentityPlan } from '@attune/engine';

interface ProfileFacts {
  firstSeen: number;
  /** Identifiers held, by type; null until someone asks. */
  counts: Record<string, number> | null;
}

const keyOf = (id: Identifier): string => `${id.type}\u0000${id.value}`;

/**
 * What the processor's store knows of the identity graph, kept in memory between lookups:
 * who owns an identifier (or that nobody does), and a profile's first-seen time and
 * identifier counts. Valid only for the single writer of the graph (the processor), which
 * tells it every change it commits (`applied`) and clears it when a batch rolls back.
 */
export class IdentityGraphCache {
  /** Identifier key → owning profile, or null: known to have no owner. */
  private readonly owners: RecencyCache<string, string | null>;
  private readonly profiles: RecencyCache<string, ProfileFacts>;

  constructor(capacity: number) {
    this.owners = new RecencyCache(capacity * 3);
    this.profiles = new RecencyCache(capacity);
  }

  /** The owner: a profile id, null when known to have none, undefined when not cached. */
  owner(id: Identifier): string | null | undefined {
    return this.owners.get(keyOf(id));
  }

  rememberOwner(id: Identifier, owner: string | undefined): void {
    this.owners.set(keyOf(id), owner ?? null);
  }

  firstSeen(profileId: string): number | undefined {
    return this.profiles.get(profileId)?.firstSeen;
  }

  rememberFirstSeen(profileId: string, firstSeen: number): void {
    const facts = this.profiles.get(profileId);
    if (facts === undefined) this.profiles.set(profileId, { firstSeen, counts: null });
    else facts.firstSeen = firstSeen;
  }

  /** Cached counts (not to be changed by the caller), if the profile's are known. */
  counts(profileId: string): Readonly<Record<string, number>> | undefined {
    return this.profiles.get(profileId)?.counts ?? undefined;
  }

  rememberCounts(profileId: string, counts: Record<string, number>): void {
    const facts = this.profiles.get(profileId);
    if (facts !== undefined) facts.counts = { ...counts };
  }

  /**
   * Follows a plan just written. `moved` lists, per merge, the identifiers the merged
   * profile brought to the survivor, so their lookups find the survivor.
   */
  applied(
    plan: IdentityPlan,
    eventTime: number,
    moved: readonly { to: string; identifiers: readonly Identifier[] }[],
  ): void {
    if (plan.created) this.profiles.set(plan.profileId, { firstSeen: eventTime, counts: {} });
    for (const { survivor, merged } of plan.merges) {
      const into = this.profiles.peek(survivor);
      const from = this.profiles.peek(merged);
      if (into !== undefined && from !== undefined) {
        into.firstSeen = Math.min(into.firstSeen, from.firstSeen);
        into.counts =
          into.counts === null || from.counts === null ? null : sumCounts(into.counts, from.counts);
      } else {
        this.profiles.delete(survivor);
      }
      this.profiles.delete(merged);
    }
    for (const { to, identifiers } of moved) {
      for (const id of identifiers) this.owners.set(keyOf(id), to);
    }
    const facts = this.profiles.peek(plan.profileId);
    for (const id of plan.attach) {
      this.owners.set(keyOf(id), plan.profileId);
      if (facts?.counts != null) facts.counts[id.type] = (facts.counts[id.type] ?? 0) + 1;
    }
    if (facts !== undefined && eventTime < facts.firstSeen) facts.firstSeen = eventTime;
  }

  clear(): void {
    this.owners.clear();
    this.profiles.clear();
  }
}

function sumCounts(
  a: Readonly<Record<string, number>>,
  b: Readonly<Record<string, number>>,
): Record<string, number> {
  const sum: Record<string, number> = { ...a };
  for (const [type, n] of Object.entries(b)) sum[type] = (sum[type] ?? 0) + n;
  return sum;
}
