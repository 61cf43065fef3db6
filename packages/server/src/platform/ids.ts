import { randomUUID } from 'node:crypto';

export interface IdGenerator {
  /** A new globally unique id (UUID v4). */
  next(): string;
}

export const uuidGenerator: IdGenerator = { next: () => randomUUID() };
