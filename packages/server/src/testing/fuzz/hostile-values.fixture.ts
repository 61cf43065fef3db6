import fc from 'fast-check';

/**
 * Hostile JSON, generated as raw text rather than as JS values: only text can carry what
 * JSON.stringify would never produce (duplicate keys, `__proto__` as an own key, NaN,
 * 1e400, lone surrogate escapes), and only text makes JSON.parse itself face the nesting.
 */
export type JsonText = string;

/** Keys that change prototypes when assigned with `obj[key] = …` or look inherited with `in`. */
export const pollutionKeys = [
  '__proto__',
  'constructor',
  'prototype',
  'constructor.prototype',
  '__proto__.polluted',
  'hasOwnProperty',
  'toString',
  'valueOf',
  '__defineGetter__',
  'isPrototypeOf',
] as const;

/** The property a successful pollution would plant; never generated as a plain key. */
export const probeKey = 'fuzzPolluted';

export const pollutionKey = fc.constantFrom(...pollutionKeys);

/** A payload whose only purpose is to pollute prototypes if copied carelessly. */
export const pollutionObject: fc.Arbitrary<JsonText> = fc.constantFrom(
  `{"__proto__":{"${probeKey}":"yes"}}`,
  `{"constructor":{"prototype":{"${probeKey}":"yes"}}}`,
  `{"__proto__":{"${probeKey}":"yes"},"constructor":{"prototype":{"${probeKey}":"yes"}}}`,
  `{"prototype":{"${probeKey}":"yes"},"__proto__":null}`,
  `{"__proto__":[1,2,3]}`,
  `{"__proto__":"x","constructor":1,"toString":2,"hasOwnProperty":"no"}`,
  `{"a":{"b":{"__proto__":{"${probeKey}":"yes"}}}}`,
);

const nastyStrings = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83dy',
  '\ufeff',
  '\u202eevil',
  '..',
  '../../etc/passwd',
  '%00',
  '%',
  '${7*7}',
  '{{7*7}}',
  "'; DROP TABLE events; --",
  '(a+)+$',
  '^(a|aa)+$',
  '.*',
  '[',
  '\\',
  'null',
  'undefined',
  'NaN',
  '[object Object]',
  'é'.repeat(200),
  '🔥'.repeat(100),
  '\r\n\t',
  ...pollutionKeys,
);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: nastyStrings },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** A string literal; JSON.stringify escapes lone surrogates as `\udXXX`, still valid JSON. */
export const stringText = (s: string): JsonText => JSON.stringify(s);

/** Number-like tokens, JSON and not: the non-JSON ones must give invalid_json, not a 500. */
export const numberText: fc.Arbitrary<JsonText> = fc.oneof(
  fc.constantFrom(
    '-0',
    '1e400',
    '-1e400',
    '1e-400',
    '123456789012345678901234567890',
    '9007199254740993',
    '-9007199254740993',
    '0.1',
    '1.7976931348623157e308',
    '4294967296',
  ),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
);

/** Tokens JSON does not allow (the parser must reject them cleanly). */
export const nonJsonText = fc.constantFrom(
  'NaN',
  'Infinity',
  '-Infinity',
  'undefined',
  '0x10',
  '01',
  '.5',
  '+1',
  "'x'",
);

/** Timestamps out of range, out of shape, or out of ISO-8601 altogether. */
export const hostileTimestamp: fc.Arbitrary<JsonText> = fc.oneof(
  fc
    .constantFrom(
      '99999-01-01T00:00:00.000Z',
      '+275760-09-13T00:00:00.001Z',
      '+275760-09-13T00:00:00.000Z',
      '-271821-04-20T00:00:00.000Z',
      '-000001-01-01T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '0000-00-00T00:00:00Z',
      '9999-12-31T23:59:59.999-23:59',
      '0001-01-01T00:00:00.000+23:59',
      '2024-02-30T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-01-01T23:59:60Z',
      '2024-01-01T00:00:00+99:99',
      '2024-01-01T00:00:00.99999999999999999999Z',
      '2024-01-01',
      'yesterday',
      'Mon, 01 Jan 2024 00:00:00 GMT',
      '1704067200000',
      '',
    )
    .map(stringText),
  numberText,
  fc.constantFrom('null', 'true', '{}', '[]', '["2024-01-01T00:00:00Z"]'),
);

/** A string of `bytes` UTF-8 bytes made of `unit`, to probe the byte (not length) limits. */
export function sizedString(bytes: number, unit: 'x' | 'é' | '🔥'): JsonText {
  const width = Buffer.byteLength(unit);
  return stringText(unit.repeat(Math.max(0, Math.floor(bytes / width))));
}

/** Around and above the 32 KB message limit, in one- to four-byte characters. */
export const hugeString: fc.Arbitrary<JsonText> = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: 32 * 1024 - 300, max: 32 * 1024 + 50 }),
      fc.integer({ min: 1000, max: 40_000 }),
    ),
    fc.constantFrom('x' as const, 'é' as const, '🔥' as const),
  )
  .map(([bytes, unit]) => sizedString(bytes, unit));

/** Thousands of levels of arrays, objects or both; `unbalanced` drops one closing bracket. */
export function nested(
  depth: number,
  shape: 'array' | 'object' | 'mixed',
  unbalanced = false,
): JsonText {
  const open = shape === 'array' ? '[' : shape === 'object' ? '{"a":' : '{"a":[';
  const close = shape === 'array' ? ']' : shape === 'object' ? '}' : ']}';
  return `${open.repeat(depth)}1${close.repeat(unbalanced ? depth - 1 : depth)}`;
}

/** Valid JSON nested up to 12,000 levels (72 KB at most). */
export const deepNesting: fc.Arbitrary<JsonText> = fc
  .tuple(
    fc.integer({ min: 500, max: 12_000 }),
    fc.constantFrom('array' as const, 'object' as const, 'mixed' as const),
  )
  .map(([depth, shape]) => nested(depth, shape));

/** Any hostile value: scalars, pollution objects, nesting, with duplicate keys allowed. */
export const hostileValue: fc.Arbitrary<JsonText> = fc.letrec<{ value: JsonText }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: hostileString.map(stringText) },
    { weight: 2, arbitrary: numberText },
    { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null', '{}', '[]') },
    { weight: 2, arbitrary: pollutionObject },
    { weight: 1, arbitrary: hostileTimestamp },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.tuple(fc.oneof(pollutionKey, hostileString), tie('value')), { maxLength: 4 })
        .map((entries) => `{${entries.map(([k, v]) => `${stringText(k)}:${v}`).join(',')}}`),
    },
    {
      weight: 1,
      arbitrary: fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    },
  ),
})).value;

/** A hostile value, now and then a big one (huge string or deep nesting). */
export const hostileValueOrBig: fc.Arbitrary<JsonText> = fc.oneof(
  { weight: 8, arbitrary: hostileValue },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: deepNesting },
);

/** Renders an object from entries, keeping duplicates and skipping absent values. */
export function objectText(
  entries: readonly (readonly [string, JsonText | undefined])[],
): JsonText {
  const present = entries.filter((e): e is readonly [string, JsonText] => e[1] !== undefined);
  return `{${present.map(([k, v]) => `${stringText(k)}:${v}`).join(',')}}`;
}

/** Byte sequences that are not UTF-8: stray continuation bytes, overlongs, CESU surrogates. */
export const invalidUtf8: fc.Arbitrary<Buffer> = fc
  .constantFrom(
    [0xff],
    [0xfe, 0xff],
    [0x80],
    [0xc0, 0x80],
    [0xc3],
    [0xe2, 0x82],
    [0xed, 0xa0, 0x80],
    [0xed, 0xbf, 0xbf],
    [0xf4, 0x90, 0x80, 0x80],
    [0xf8, 0x88, 0x80, 0x80, 0x80],
    [0x00],
  )
  .map((bytes) => Buffer.from(bytes));

/** `text` with invalid UTF-8 spliced in at a generated position (inside strings or not). */
export function withInvalidUtf8(text: fc.Arbitrary<JsonText>): fc.Arbitrary<Buffer> {
  return fc
    .tuple(text, invalidUtf8, fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([t, bad, at]) => {
      const raw = Buffer.from(t);
      const cut = Math.floor(raw.length * at);
      return Buffer.concat([raw.subarray(0, cut), bad, raw.subarray(cut)]);
    });
}
