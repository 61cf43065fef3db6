import { extractIdentifiers, type Identifier, type IdentityRules } from '@attune/engine';
import type { PiiCipher } from '../../modules/privacy/pii-cipher.js';
import type { Subject } from '../../modules/privacy/subject.js';
import { eventsCarryingIdentifiers } from './events-by-identifier.sqlite.js';
import type { SqliteDatabase } from './open-database.js';
import { processedThrough, timelineOffsets } from './subject-graph.sqlite.js';

/**
 * Every event of the log about a subject, ascending: those the processor filed under their
 * profiles, those whose userId/anonymousId is theirs, Attune's own events naming their
 * profiles, and not-yet-processed events carrying any of their identifiers anywhere.
 */
export function subjectEventOffsets(
  logDb: SqliteDatabase,
  stateDb: SqliteDatabase,
  rules: IdentityRules,
  cipher: PiiCipher,
  subject: Subject,
): number[] {
  // The id columns hold pseudonyms; rows written before PII protection (until
  // `attune keys rotate-data`) hold the plain id, so both are looked for.
  const column = (type: 'user_id' | 'anonymous_id') =>
    subject.identifiers
      .filter((i) => i.type === type)
      .flatMap((i) => [i.value, cipher.idColumn(type, i.value) as string]);
  const offsets = new Set(timelineOffsets(stateDb, subject.profileIds));
  const carrying = eventsCarryingIdentifiers(logDb, {
    userIds: column('user_id'),
    // Attune's own events (merges, memberships, stages) name the profile as anonymousId.
    anonymousIds: [...column('anonymous_id'), ...subject.profileIds],
  });
  for (const offset of carrying) offsets.add(offset);
  for (const offset of backlogNaming(logDb, processedThrough(stateDb), rules, cipher, subject))
    offsets.add(offset);
  return [...offsets].sort((a, b) => a - b);
}

/** Events after `processed` that carry one of the identifiers (traits, externalIds, alias). */
function backlogNaming(
  logDb: SqliteDatabase,
  processed: number,
  rules: IdentityRules,
  cipher: PiiCipher,
  subject: Subject,
): number[] {
  const wanted = new Set(subject.identifiers.map((i) => `${i.type}\u0000${i.value}`));
  const matches = (i: Identifier): boolean => wanted.has(`${i.type}\u0000${i.value}`);
  const rows = logDb
    .prepare('SELECT seq, message FROM events WHERE seq > ? ORDER BY seq')
    .raw()
    .iterate(processed) as IterableIterator<[number, string]>;
  const found: number[] = [];
  for (const [seq, text] of rows) {
    const { identifiers, previousId } = extractIdentifiers(
      cipher.parse<Record<string, unknown>>(text),
      rules,
    );
    if (
      identifiers.some(matches) ||
      (previousId !== null &&
        (wanted.has(`user_id\u0000${previousId}`) || wanted.has(`anonymous_id\u0000${previousId}`)))
    )
      found.push(seq);
  }
  return found;
}
