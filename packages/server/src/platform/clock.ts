/** The only way domain code learns the time, so tests can move it. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests set and advance by hand. */
export class ManualClock implements Clock {
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  set(epochMillis: number): void {
    this.current = epochMillis;
  }
  advance(millis: number): void {
    this.current += millis;
  }
}
