export const hourMillis = 3_600_000;

/** The start of the hour holding `epochMillis` (UTC): quality counts are kept per hour. */
export function hourOf(epochMillis: number): number {
  return Math.floor(epochMillis / hourMillis) * hourMillis;
}

/** The hours overlapping [from, to): from rounded down, to rounded up to whole hours. */
export function hourRange(from: number, to: number): { from: number; to: number } {
  return { from: hourOf(from), to: Math.ceil(to / hourMillis) * hourMillis };
}
