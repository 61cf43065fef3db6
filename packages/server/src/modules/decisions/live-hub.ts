import type { DecideContext, Decision } from '@attune/contracts';
import type { ProfileData } from '../profiles/profile.store.js';
import type { DecideService, DecideSource } from './decide.service.js';
import { DecisionRequestError } from './placements.service.js';

/** A page's open connection, as the hub sees it. */
export interface LiveSubscriber {
  send(message: string): void;
}

export interface LiveVisitor {
  userId?: string;
  anonymousId?: string;
}

interface Subscription {
  subscriber: LiveSubscriber;
  source: DecideSource;
  visitor: LiveVisitor;
  placements: string[];
  context: DecideContext;
  profileId: string | null;
  /** What the page shows now, per placement (see `shownAs`). */
  shown: Map<string, string>;
}

export interface LiveHubDeps {
  decide: Pick<DecideService, 'decideFor'>;
  findVisitor: (visitor: LiveVisitor) => ProfileData | undefined;
  /** Up to this many visitors without a profile yet are looked up again after every commit. */
  retryEveryCommit?: number;
  /** More than that are looked up again at most this often. */
  retryUnknownMs?: number;
  now?: () => number;
}

/** What makes a decision look different on the page. */
const shownAs = (d: Decision) => JSON.stringify([d.variantId, d.ruleId, d.rendered, d.payload]);

/**
 * Live decisions: pages subscribe to placements for their visitor; after each processor
 * commit, the profiles whose memberships, stage or traits changed are decided again, and a
 * page gets the placements whose decision changed. A visitor without a profile yet (no
 * event processed) is looked up again on later commits (see `retryEveryCommit`).
 */
export class LiveHub {
  private readonly byProfile = new Map<string, Set<Subscription>>();
  private readonly unknown = new Set<Subscription>();
  private lastRetry = 0;

  constructor(private readonly deps: LiveHubDeps) {}

  /**
   * Decides the placements for the visitor and sends them, then keeps the page current.
   * Throws what `decide` throws (an unknown placement) before subscribing anything.
   */
  subscribe(
    subscriber: LiveSubscriber,
    source: DecideSource,
    visitor: LiveVisitor,
    placements: string[],
    context: DecideContext,
  ): () => void {
    const sub: Subscription = {
      subscriber,
      source,
      visitor,
      placements,
      context,
      profileId: null,
      shown: new Map(),
    };
    const profile = this.deps.findVisitor(visitor);
    const decisions = this.decide(sub, profile);
    for (const d of decisions) sub.shown.set(d.placement, shownAs(d));
    this.index(sub, profile?.id ?? null);
    subscriber.send(JSON.stringify({ type: 'decisions', decisions }));
    return () => this.unindex(sub);
  }

  /** After a commit: decide again for the changed profiles' pages; push what changed. */
  profilesChanged(ids: readonly string[]): void {
    const due = new Set<Subscription>();
    for (const id of ids) for (const sub of this.byProfile.get(id) ?? []) due.add(sub);
    const now = (this.deps.now ?? Date.now)();
    // A few visitors without a profile are looked up on every commit (their first event may be
    // in it); many, at most every `retryUnknownMs`.
    const few = this.unknown.size <= (this.deps.retryEveryCommit ?? 200);
    if (
      this.unknown.size > 0 &&
      (few || now - this.lastRetry >= (this.deps.retryUnknownMs ?? 200))
    ) {
      this.lastRetry = now;
      for (const sub of this.unknown) due.add(sub);
    }
    for (const sub of due) {
      try {
        this.refresh(sub);
      } catch (error) {
        // E.g. a placement deleted since: the page is told, and no longer kept current.
        this.unindex(sub);
        const detail = error instanceof Error ? error.message : String(error);
        const code = error instanceof DecisionRequestError ? error.code : 'internal_error';
        sub.subscriber.send(JSON.stringify({ type: 'error', code, detail }));
      }
    }
  }

  private refresh(sub: Subscription): void {
    // The visitor's profile may have appeared, or been merged into another.
    const profile = this.deps.findVisitor(sub.visitor);
    const profileId = profile?.id ?? null;
    if (profileId !== sub.profileId) {
      this.unindex(sub);
      this.index(sub, profileId);
    }
    if (profileId === null) return;
    const changed = this.decide(sub, profile).filter(
      (d) => sub.shown.get(d.placement) !== shownAs(d),
    );
    if (changed.length === 0) return;
    for (const d of changed) sub.shown.set(d.placement, shownAs(d));
    sub.subscriber.send(JSON.stringify({ type: 'decisions', decisions: changed }));
  }

  /** Decides with the profile just looked up: deciding does not look the visitor up again. */
  private decide(sub: Subscription, profile: ProfileData | undefined): Decision[] {
    return this.deps.decide.decideFor(
      profile,
      { ...sub.visitor, placements: sub.placements, context: sub.context },
      sub.source,
    ).decisions;
  }

  private index(sub: Subscription, profileId: string | null): void {
    sub.profileId = profileId;
    if (profileId === null) {
      this.unknown.add(sub);
      return;
    }
    let set = this.byProfile.get(profileId);
    if (set === undefined) this.byProfile.set(profileId, (set = new Set()));
    set.add(sub);
  }

  private unindex(sub: Subscription): void {
    this.unknown.delete(sub);
    if (sub.profileId === null) return;
    const set = this.byProfile.get(sub.profileId);
    set?.delete(sub);
    if (set?.size === 0) this.byProfile.delete(sub.profileId);
  }
}
