import { identifierKey, type Identifier } from './identity-rules.js';
import type { IdentityPlan, IdentityView } from './resolve-identity.js';

interface ProfileNode {
  firstSeen: number;
  identifiers: Identifier[];
  mergedInto: string | null;
}

/**
 * The identity graph in memory: the reference the SQLite store is tested against, and
 * what tests use to replay event streams.
 */
export class MemoryIdentityGraph implements IdentityView {
  private readonly owners = new Map<string, string>();
  private readonly profiles = new Map<string, ProfileNode>();

  ownerOf(identifier: Identifier): string | undefined {
    return this.owners.get(identifierKey(identifier));
  }

  countsOf(profileId: string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const id of this.profiles.get(profileId)?.identifiers ?? [])
      counts[id.type] = (counts[id.type] ?? 0) + 1;
    return counts;
  }

  firstSeenOf(profileId: string): number {
    return this.profiles.get(profileId)?.firstSeen ?? Number.POSITIVE_INFINITY;
  }

  /** Follows merges to the surviving profile. */
  resolve(profileId: string): string | undefined {
    let node = this.profiles.get(profileId);
    let id = profileId;
    while (node?.mergedInto) {
      id = node.mergedInto;
      node = this.profiles.get(id);
    }
    return node === undefined ? undefined : id;
  }

  apply(plan: IdentityPlan, eventTime: number): void {
    if (plan.created)
      this.profiles.set(plan.profileId, {
        firstSeen: eventTime,
        identifiers: [],
        mergedInto: null,
      });
    for (const { survivor, merged } of plan.merges) {
      const from = this.profiles.get(merged);
      const into = this.profiles.get(survivor);
      if (from === undefined || into === undefined)
        throw new Error(`unknown profile in merge ${merged} → ${survivor}`);
      for (const id of from.identifiers) this.owners.set(identifierKey(id), survivor);
      into.identifiers.push(...from.identifiers);
      into.firstSeen = Math.min(into.firstSeen, from.firstSeen);
      from.identifiers = [];
      from.mergedInto = survivor;
    }
    const target = this.profiles.get(plan.profileId);
    if (target === undefined) throw new Error(`unknown profile ${plan.profileId}`);
    for (const id of plan.attach) {
      this.owners.set(identifierKey(id), plan.profileId);
      target.identifiers.push(id);
    }
    target.firstSeen = Math.min(target.firstSeen, eventTime);
  }

  /** The partition: for each surviving profile, its identifier keys, sorted. */
  partition(): string[][] {
    const groups: string[][] = [];
    for (const node of this.profiles.values()) {
      if (node.mergedInto === null && node.identifiers.length > 0)
        groups.push(node.identifiers.map(identifierKey).sort());
    }
    return groups.sort((a, b) => (a.join('|') < b.join('|') ? -1 : 1));
  }
}
