import type { JourneyAction, JourneyDuration } from '@attune/contracts';

const unitMs = {
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
};

export function journeyDurationMs(d: JourneyDuration): number {
  return d.amount * unitMs[d.unit];
}

/** The channel a send action counts against for caps, or null when it is not a send. */
export function channelOf(action: JourneyAction): 'email' | 'webhook' | null {
  return action.type === 'email' || action.type === 'webhook' ? action.type : null;
}

/** The consent purpose an action needs, or null. */
export function purposeOf(action: JourneyAction): string | null {
  if (action.type === 'email') return action.purpose ?? 'marketing_email';
  if (action.type === 'webhook') return action.purpose ?? null;
  return null;
}
