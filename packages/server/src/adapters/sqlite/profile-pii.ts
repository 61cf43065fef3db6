import type { ComputedState, TraitState } from '@attune/engine';
import { normalizePiiKey } from '@attune/engine';
import { BoundedMemo } from '../../modules/privacy/bounded-memo.js';
import type { PiiCipher } from '../../modules/privacy/pii-cipher.js';
import type { ComputedData } from '../../modules/profiles/profile.store.js';

export type ProfileCipher = Pick<
  PiiCipher,
  'policy' | 'protectTraits' | 'encryptLeaf' | 'isCurrent' | 'decryptLeaf' | 'parse'
>;

/**
 * PII of profile rows. Traits: the PII leaves, encrypted. Computed aggregates: the values
 * they keep (first, last, distinct, windowed entries) may be copies of PII properties, and
 * the row does not know the definitions, so every text value there is encrypted.
 * The processor writes a profile's row for every batch that touches it: a value that did
 * not change keeps its ciphertext instead of being encrypted again.
 */
export class ProfilePii {
  private readonly kept = new BoundedMemo<string>(200_000);

  constructor(private readonly cipher: ProfileCipher) {}

  sealTraits(profileId: string, traits: TraitState): string {
    const values = this.cipher.protectTraits(traits.values, (plain, path) =>
      this.keep(profileId, path, plain),
    );
    return JSON.stringify(values === traits.values ? traits : { values, times: traits.times });
  }

  sealComputed(profileId: string, computed: ComputedData): string {
    let aggregates: ComputedState | undefined;
    for (const [name, state] of Object.entries(computed.aggregates)) {
      const sealed = { ...state };
      let changed = false;
      const seal = (value: unknown, path: string): unknown => {
        if (typeof value !== 'string' || this.cipher.isCurrent(value)) return value;
        changed = true;
        const plain = JSON.stringify(this.cipher.decryptLeaf(value));
        return this.keep(profileId, path, plain);
      };
      if (state.first !== undefined)
        sealed.first = [state.first[0], seal(state.first[1], `c:${name}.f`)];
      if (state.last !== undefined)
        sealed.last = [state.last[0], seal(state.last[1], `c:${name}.l`)];
      if (state.distinct !== undefined)
        sealed.distinct = state.distinct.map((v) => seal(v, `c:${name}.d`));
      if (state.entries !== undefined)
        sealed.entries = state.entries.map(([at, v]) => [at, seal(v, `c:${name}.e`)]);
      if (changed) (aggregates ??= { ...computed.aggregates })[name] = sealed;
    }
    return JSON.stringify(aggregates === undefined ? computed : { ...computed, aggregates });
  }

  open<T>(text: string): T {
    return this.cipher.parse<T>(text);
  }

  /** True when a trait's stored values are ciphertexts (SQL cannot compare them). */
  isPiiTrait(trait: string): boolean {
    const { keys, paths } = this.cipher.policy;
    if (keys.has(normalizePiiKey(trait))) return true;
    return paths.some((p) => p.length === 2 && p[0] === 'traits' && p[1] === trait);
  }

  /** The ciphertext this profile's value at path had, or a fresh one (then kept). */
  private keep(profileId: string, path: string, plain: string): string {
    const key = `${profileId}\u0000${path}\u0000${plain}`;
    return (
      this.kept.get(key) ??
      this.kept.set(key, this.cipher.encryptLeaf(JSON.parse(plain) as unknown))
    );
  }
}
