import type { PlacementInput, SegmentInput } from '@attune/contracts';
import { demoCartHolders, demoHero, demoOutdoorFans, demoSourceId } from './demo-definitions.js';

export interface DemoSetupDeps {
  /** The demo page's write key: stable for this installation, derived from its keyring. */
  writeKey: string;
  ensureWriteKey: (value: string, sourceId: string, name: string) => Promise<void>;
  segmentIdUsed: (id: string) => boolean;
  createSegment: (input: SegmentInput) => unknown;
  placementIdUsed: (id: string) => boolean;
  createPlacement: (input: PlacementInput) => unknown;
}

/**
 * What the demo shop needs, made on its first visit (not at start, so an installation
 * nobody demos carries no demo segments): a `demo` source and its write key, two segments
 * and the hero placement. Ids used before are left alone, deleted ones too: deleting them
 * is how an operator keeps the demo from coming back.
 */
export class DemoSetup {
  private ready: Promise<string> | null = null;

  constructor(private readonly deps: DemoSetupDeps) {}

  /** The write key, once everything exists. */
  ensure(): Promise<string> {
    this.ready ??= this.setUp().catch((error: unknown) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }

  private async setUp(): Promise<string> {
    const { deps } = this;
    await deps.ensureWriteKey(deps.writeKey, demoSourceId, 'demo shop page (/demo)');
    for (const segment of [demoOutdoorFans, demoCartHolders])
      if (!deps.segmentIdUsed(segment.id as string)) deps.createSegment(segment);
    if (!deps.placementIdUsed(demoHero.id as string)) deps.createPlacement(demoHero);
    return deps.writeKey;
  }
}
