/** What a tracking plan found wrong with one field of one message. */
export interface FieldIssue {
  /** JSON pointer into the message, array indexes written as `*` (e.g. /properties/products/*\/price). */
  field: string;
  problem: 'missing' | 'invalid';
}

/** The parts of a JSON Schema validation error (Ajv's shape) that name the field at fault. */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** At most this many fields are counted per message, so one bad message cannot flood the counts. */
export const maxIssuesPerMessage = 20;

const missingKeywords = new Set(['required', 'dependencies', 'dependentRequired']);

/**
 * The exact JSON pointer of the field an error is about, under `base` (the pointer of the
 * validated object in the message, e.g. `/properties`): a missing or unexpected property is
 * named, not its parent.
 */
export function errorPointer(error: SchemaError, base: string): string {
  const named = error.params['missingProperty'] ?? error.params['additionalProperty'] ?? undefined;
  const child = typeof named === 'string' ? `/${escapePointer(named)}` : '';
  return `${base}${error.instancePath}${child}`;
}

/**
 * One issue per field, for counting: `required`-like errors make the field missing, any other
 * error makes it invalid (the first error about a field decides). Array indexes become `*`
 * so that `products[0].price` and `products[7].price` count as one field.
 */
export function fieldIssuesOf(errors: readonly SchemaError[], base: string): FieldIssue[] {
  const seen = new Map<string, FieldIssue['problem']>();
  for (const error of errors) {
    if (seen.size >= maxIssuesPerMessage) break;
    const field = generalizePointer(errorPointer(error, base));
    if (seen.has(field)) continue;
    seen.set(field, missingKeywords.has(error.keyword) ? 'missing' : 'invalid');
  }
  return Array.from(seen, ([field, problem]) => ({ field, problem }));
}

export function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function generalizePointer(pointer: string): string {
  return pointer.replace(/\/\d+(?=\/|$)/g, '/*');
}
