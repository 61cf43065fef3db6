import { defaultGranted, type ConsentPolicy } from './consent-policy.js';
import type { ConsentSource } from './consent-signals.js';

/** One recorded change for one identifier pseudonym. */
export interface ConsentChange {
  seq: number;
  pseudonym: string;
  /** Only the purposes this change set. */
  purposes: Record<string, boolean>;
  source: ConsentSource;
  /** When the choice was made (the event's time, or the API call's), epoch ms. */
  at: number;
  /** The country the choice was made in, when known (picks the regional defaults). */
  country: string | null;
}

export interface PurposeChoice {
  granted: boolean;
  source: ConsentSource;
  at: number;
  /** The change's seq, to break ties between equal times. */
  seq: number;
}

/** The explicit choices in force for one pseudonym (or a profile's pseudonyms together). */
export interface ConsentState {
  purposes: Map<string, PurposeChoice>;
  /** The country of the latest change that named one. */
  country: { code: string; at: number; seq: number } | null;
}

export function emptyConsentState(): ConsentState {
  return { purposes: new Map(), country: null };
}

const later = (a: { at: number; seq: number }, b: { at: number; seq: number }) =>
  a.at > b.at || (a.at === b.at && a.seq > b.seq);

/**
 * Applies a change: per purpose the latest choice (by time, then seq) wins, so a late
 * arriving old event does not undo a newer choice.
 */
export function applyConsentChange(state: ConsentState, change: ConsentChange): void {
  for (const [purpose, granted] of Object.entries(change.purposes)) {
    const current = state.purposes.get(purpose);
    const next = { granted, source: change.source, at: change.at, seq: change.seq };
    if (current === undefined || later(next, current)) state.purposes.set(purpose, next);
  }
  if (change.country !== null) {
    const next = { code: change.country, at: change.at, seq: change.seq };
    if (state.country === null || later(next, state.country)) state.country = next;
  }
}

/** Several states as one (a profile's identifiers): the latest choice per purpose wins. */
export function combineConsentStates(states: readonly ConsentState[]): ConsentState {
  const combined = emptyConsentState();
  for (const state of states) {
    for (const [purpose, choice] of state.purposes) {
      const current = combined.purposes.get(purpose);
      if (current === undefined || later(choice, current)) combined.purposes.set(purpose, choice);
    }
    if (
      state.country !== null &&
      (combined.country === null || later(state.country, combined.country))
    )
      combined.country = state.country;
  }
  return combined;
}

/** The purposes of `choices` that differ from what the state holds (what is worth recording). */
export function changedPurposes(
  state: ConsentState | undefined,
  choices: Record<string, boolean>,
): Record<string, boolean> | null {
  let changed: Record<string, boolean> | null = null;
  for (const [purpose, granted] of Object.entries(choices)) {
    if (state?.purposes.get(purpose)?.granted !== granted) (changed ??= {})[purpose] = granted;
  }
  return changed;
}

export interface ResolvedPurpose {
  granted: boolean;
  /** True when no explicit choice exists and the (regional) default applies. */
  isDefault: boolean;
  source: ConsentSource | null;
  at: number | null;
}

/**
 * Whether a purpose is allowed: the explicit choice when there is one, else the default of
 * the region of `country` (the caller's, or the state's latest), else the global default.
 */
export function resolvePurpose(
  policy: ConsentPolicy,
  state: ConsentState | undefined,
  purpose: string,
  country: string | null,
): ResolvedPurpose {
  const choice = state?.purposes.get(purpose);
  if (choice !== undefined)
    return { granted: choice.granted, isDefault: false, source: choice.source, at: choice.at };
  const where = country ?? state?.country?.code ?? null;
  return {
    granted: defaultGranted(policy, purpose, where),
    isDefault: true,
    source: null,
    at: null,
  };
}
