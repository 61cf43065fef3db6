import type { Identifier } from '@attune/engine';
import type { PiiCipher } from '../../modules/privacy/pii-cipher.js';
import type { Subject } from '../../modules/privacy/subject.js';
import type { SqliteDatabase } from './open-database.js';

const keyOf = (i: Identifier): string => `${i.type}\u0000${i.value}`;

/**
 * Grows a seed (profile ids, identifiers) to everything the identity graph ties to it: the
 * owners of its identifiers, survivors and every id merged into them, and their
 * identifiers, until nothing new turns up. Reads state.db, where identifiers are stored as
 * pseudonyms (lookup) and ciphertexts (display): the subject's come back plain.
 */
export function expandSubject(db: SqliteDatabase, cipher: PiiCipher, seed: Subject): Subject {
  const owner = db
    .prepare('SELECT profile_id FROM identities WHERE type = ? AND value = ?')
    .pluck();
  const mergedInto = db.prepare('SELECT merged_into FROM identity_profiles WHERE id = ?').pluck();
  const aliases = db.prepare('SELECT id FROM identity_profiles WHERE merged_into = ?').pluck();
  const mergedAway = db
    .prepare('SELECT merged_id FROM identity_merges WHERE survivor_id = ?')
    .pluck();
  const identifiersOf = (id: string): Identifier[] =>
    (
      db.prepare('SELECT type, display FROM identities WHERE profile_id = ?').raw().all(id) as [
        string,
        string,
      ][]
    ).map(([type, display]) => ({ type, value: String(cipher.decryptLeaf(display)) }));

  const ids = new Set<string>();
  const identifiers = new Map<string, Identifier>();
  const idQueue = [...seed.profileIds];
  const identifierQueue = [...seed.identifiers];
  while (idQueue.length > 0 || identifierQueue.length > 0) {
    const identifier = identifierQueue.pop();
    if (identifier !== undefined) {
      if (identifiers.has(keyOf(identifier))) continue;
      identifiers.set(keyOf(identifier), identifier);
      const found = owner.get(
        identifier.type,
        cipher.pseudonym(identifier.type, identifier.value),
      ) as string | undefined;
      if (found !== undefined) idQueue.push(found);
      continue;
    }
    const id = idQueue.pop() as string;
    if (ids.has(id)) continue;
    ids.add(id);
    const survivor = mergedInto.get(id) as string | null | undefined;
    if (typeof survivor === 'string') idQueue.push(survivor);
    idQueue.push(...(aliases.all(id) as string[]), ...(mergedAway.all(id) as string[]));
    identifierQueue.push(...identifiersOf(id));
  }
  return { profileIds: [...ids].sort(), identifiers: [...identifiers.values()] };
}

/** The offsets the processor filed under these profiles (timeline chunks and recent events). */
export function timelineOffsets(db: SqliteDatabase, profileIds: readonly string[]): number[] {
  const chunks = db.prepare('SELECT offsets FROM profile_timeline WHERE profile_id = ?').pluck();
  const recent = db.prepare('SELECT recent_events FROM profiles WHERE id = ?').pluck();
  const offsets: number[] = [];
  for (const id of profileIds) {
    for (const chunk of chunks.all(id) as string[])
      offsets.push(...(JSON.parse(chunk) as number[]));
    const row = recent.get(id) as string | undefined;
    if (row !== undefined) offsets.push(...(JSON.parse(row) as number[]));
  }
  return offsets;
}

/** The offset every processor has committed (events after it are not in any timeline yet). */
export function processedThrough(db: SqliteDatabase): number {
  const offset = db.prepare('SELECT min(committed_offset) FROM processor_offsets').pluck().get();
  return (offset as number | null) ?? 0;
}
