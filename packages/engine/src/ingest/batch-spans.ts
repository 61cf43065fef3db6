const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COLON = 58;

/**
 * Where each element of the top-level `batch` array sits in a JSON text: a flat list
 * [start0, end0, start1, end1, …] of string indices, or null when the text has no such
 * array. Storing these slices keeps each message exactly as the client sent it and is
 * cheaper than serializing the parsed objects again.
 *
 * The text must already have parsed as JSON (this is not a validator). Like JSON.parse,
 * a repeated `batch` key means the last one.
 */
export function findBatchItemSpans(json: string): number[] | null {
  let i = skipSpace(json, 0);
  if (json.charCodeAt(i) !== OPEN_BRACE) return null;
  i++;
  let spans: number[] | null = null;
  for (;;) {
    i = skipSpace(json, i);
    if (json.charCodeAt(i) !== QUOTE) return spans; // `}`: end of the object
    const keyEnd = endOfString(json, i);
    const isBatch = keyEnd - i === 7 && json.startsWith('"batch"', i);
    i = skipSpace(json, keyEnd);
    if (json.charCodeAt(i) !== COLON) return null;
    i = skipSpace(json, i + 1);
    if (isBatch && json.charCodeAt(i) === OPEN_BRACKET) {
      const found: number[] = [];
      i = arrayElements(json, i, found);
      spans = found;
    } else {
      i = endOfValue(json, i);
    }
    i = skipSpace(json, i);
    if (json.charCodeAt(i) === 44) i++; // `,`
  }
}

/** Records the element spans of the array at `start`; returns the index after it. */
function arrayElements(json: string, start: number, spans: number[]): number {
  let i = skipSpace(json, start + 1);
  if (json.charCodeAt(i) === CLOSE_BRACKET) return i + 1;
  for (;;) {
    const end = endOfValue(json, i);
    spans.push(i, end);
    i = skipSpace(json, end);
    if (json.charCodeAt(i) === CLOSE_BRACKET) return i + 1;
    i = skipSpace(json, i + 1); // past `,`
  }
}

/** The index just after the JSON value starting at `start`. */
function endOfValue(json: string, start: number): number {
  const c = json.charCodeAt(start);
  if (c === QUOTE) return endOfString(json, start);
  if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
    // number, true, false, null: runs until a delimiter
    let i = start;
    for (; i < json.length; i++) {
      const d = json.charCodeAt(i);
      if (d === 44 || d === CLOSE_BRACE || d === CLOSE_BRACKET || d <= 32) break;
    }
    return i;
  }
  let depth = 0;
  for (let i = start; i < json.length; i++) {
    const d = json.charCodeAt(i);
    if (d === QUOTE) {
      i = endOfString(json, i) - 1;
    } else if (d === OPEN_BRACE || d === OPEN_BRACKET) {
      depth++;
    } else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return json.length;
}

/** The index just after the string whose opening quote is at `start`. */
function endOfString(json: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = json.indexOf('"', i);
    if (quote < 0) return json.length;
    let backslashes = 0;
    for (let k = quote - 1; json.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if ((backslashes & 1) === 0) return quote + 1;
    i = quote + 1;
  }
}

function skipSpace(json: string, start: number): number {
  let i = start;
  while (i < json.length) {
    const c = json.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
    i++;
  }
  return i;
}
