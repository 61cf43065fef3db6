import { Type, type Static } from '@sinclair/typebox';
import { RejectedLine } from './problem.js';

/** The answer to a JSONL upload on `POST /v1/import` (200 when no line was rejected). */
export const ImportResult = Type.Object(
  {
    success: Type.Boolean(),
    accepted: Type.Integer({ description: 'Messages stored by this upload' }),
    duplicates: Type.Integer({ description: 'Messages already stored (same messageId)' }),
    dropped: Type.Integer({ description: 'Messages deliberately not stored (consent)' }),
    rejected: Type.Array(RejectedLine, { description: 'At most the first 1,000' }),
    rejectedCount: Type.Integer({ description: 'All rejected lines' }),
  },
  { $id: 'ImportResult' },
);
export type ImportResult = Static<typeof ImportResult>;
