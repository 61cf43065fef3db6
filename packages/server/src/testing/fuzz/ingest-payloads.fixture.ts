import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import type { FuzzRequest, Sibling } from './fuzz-request.fixture.js';
import {
  hostileString,
  hostileTimestamp,
  hostileValue,
  hostileValueOrBig,
  nested,
  nonJsonText,
  objectText,
  pollutionKey,
  pollutionObject,
  probeKey,
  stringText,
  withInvalidUtf8,
  type JsonText,
} from './hostile-values.fixture.js';

export const singlePaths = ['track', 't', 'identify', 'i', 'page', 'p', 'screen', 's']
  .concat(['group', 'g', 'alias', 'a'])
  .map((p) => `/v1/${p}`);
const batchPaths = ['/v1/batch', '/v1/b', '/v1/import'];
const messageTypes = ['track', 'identify', 'page', 'screen', 'group', 'alias'];

/** Absent, valid or hostile: each known field is attacked on its own, so deeper code runs. */
function field(
  valid: fc.Arbitrary<JsonText>,
  hostile = hostileValue,
): fc.Arbitrary<JsonText | undefined> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: valid },
    { weight: 3, arbitrary: hostile },
  );
}

const validIso = fc
  .date({ min: new Date('2000-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
  .map((d) => stringText(d.toISOString()));
const someObject = fc.oneof(fc.constant('{}'), pollutionObject, fc.constant('{"plan":"pro"}'));

/** A message with every known field absent, right or wrong, plus hostile extra keys. */
export function hostileMessage(big = false): fc.Arbitrary<JsonText> {
  const hostile = big ? hostileValueOrBig : hostileValue;
  return fc
    .record({
      type: field(fc.constantFrom(...messageTypes).map(stringText), hostile),
      userId: field(fc.constantFrom('"u1"', '42', '"user@example.com"'), hostile),
      anonymousId: field(fc.constant('"anon-1"'), hostile),
      event: field(
        fc.constantFrom('"Clicked"', '"constructor"', '"__proto__"', '"toString"'),
        hostile,
      ),
      name: field(fc.constantFrom('"Home"', '"hasOwnProperty"'), hostile),
      properties: field(someObject, hostile),
      traits: field(someObject, hostile),
      context: field(someObject, hostile),
      integrations: field(someObject, hostile),
      timestamp: field(validIso, hostileTimestamp),
      originalTimestamp: field(validIso, hostileTimestamp),
      sentAt: field(validIso, hostileTimestamp),
      messageId: field(fc.uuid().map(stringText), hostile),
      groupId: field(fc.constant('"acme"'), hostile),
      previousId: field(fc.constant('"anon-0"'), hostile),
      writeKey: field(fc.constant('"wk_nope"'), hostile),
      extra: fc.array(fc.tuple(fc.oneof(pollutionKey, hostileString), hostile), { maxLength: 3 }),
    })
    .map(({ extra, ...fields }) => objectText([...Object.entries(fields), ...extra]));
}

/** A message that must be stored: unique ids, pollution keys carried as plain data. */
export const validSibling: fc.Arbitrary<{ text: JsonText; sibling: Sibling }> = fc
  .record({ id: fc.uuid(), type: fc.constantFrom('track', 'identify'), at: validIso })
  .map(({ id, type, at }) => {
    const sibling = { messageId: `fz-${id}`, userId: `fz-${id}` };
    const data = `{"plan":"fuzz","__proto__":{"${probeKey}":"yes"},"constructor":{"prototype":{"${probeKey}":"yes"}},"nested":{"__proto__":{"${probeKey}":"yes"}}}`;
    const text = objectText([
      ['type', stringText(type)],
      ['messageId', stringText(sibling.messageId)],
      ['userId', stringText(sibling.userId)],
      ['timestamp', at],
      ...(type === 'track'
        ? ([
            ['event', '"Fuzz Sibling"'],
            ['properties', data],
          ] as const)
        : ([['traits', data]] as const)),
      ['context', `{"__proto__":{"${probeKey}":"yes"}}`],
    ]);
    return { text, sibling };
  });

/** Valid messages around hostile ones, in a valid envelope: every sibling must be stored. */
export const mixedBatch: fc.Arbitrary<{ text: JsonText; siblings: Sibling[] }> = fc
  .record({
    hostile: fc.array(hostileMessage(), { minLength: 1, maxLength: 4 }),
    big: fc.option(hostileMessage(true), { nil: undefined }),
    raw: fc.array(fc.oneof(hostileValue, fc.constantFrom('null', '1', '"x"', '[]')), {
      maxLength: 2,
    }),
    siblings: fc.array(validSibling, { minLength: 1, maxLength: 3 }),
    context: fc.option(pollutionObject, { nil: undefined }),
    integrations: fc.option(pollutionObject, { nil: undefined }),
    sentAt: fc.option(validIso, { nil: undefined }),
    order: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
  })
  .map(({ hostile, big, raw, siblings, context, integrations, sentAt, order }) => {
    // Past 450 KB the whole body would be refused (413) and the siblings with it.
    const fits = big !== undefined && big.length < 300_000;
    const items = [...hostile, ...(fits ? [big] : []), ...raw];
    // Interleave: each sibling goes at a generated position among the hostile items.
    siblings.forEach((s, i) => items.splice((order[i] ?? 0) % (items.length + 1), 0, s.text));
    const text = objectText([
      ['batch', `[${items.join(',')}]`],
      ['context', context],
      ['integrations', integrations],
      ['sentAt', sentAt],
    ]);
    return { text, siblings: siblings.map((s) => s.sibling) };
  });

/** Envelopes that are wrong as a whole. */
const hostileEnvelope: fc.Arbitrary<JsonText> = fc.oneof(
  fc
    .record({
      batch: fc.oneof(hostileValue, fc.constant(undefined)),
      context: field(someObject),
      integrations: field(someObject),
      sentAt: field(validIso, hostileTimestamp),
      extra: fc.array(fc.tuple(pollutionKey, hostileValue), { maxLength: 2 }),
    })
    .map(({ extra, ...f }) => objectText([...Object.entries(f), ...extra])),
  // More than 2,500 tiny items.
  fc.integer({ min: 2501, max: 2600 }).map((n) => `{"batch":[${Array(n).fill('{}').join(',')}]}`),
  // Duplicate `batch` keys: the last one wins in JSON.parse, the span finder must agree.
  fc.constant('{"batch":[{"type":"track","userId":"u","event":"A"}],"batch":[1]}'),
  fc.constant('{"batch":[1],"batch":[{"type":"track","userId":"u","event":"B"}]}'),
);

const rawBodies = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 1000, max: 200_000 }),
      fc.constantFrom('array' as const, 'object' as const, 'mixed' as const),
      fc.boolean(),
    )
    .map(([depth, shape, unbalanced]) => nested(depth, shape, unbalanced)),
  fc.constantFrom(
    '',
    ' ',
    'null',
    '[]',
    '"x"',
    '0',
    'true',
    '{',
    '}',
    '{"a":1}{"b":2}',
    '\u0000',
    '\ufeff{"userId":"u","event":"e"}',
    '{"userId":"u","event":"e"} trailing',
    '{"userId":"u","event":"e",}',
    "{'userId':'u'}",
    '[{"userId":"u","event":"e"}]',
  ),
);

const contentTypes = fc.constantFrom(
  'application/json',
  'text/plain',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16le',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/x-ndjson',
  '*/*',
  'a/b/c',
  '',
);

const hostileAuth: fc.Arbitrary<FuzzRequest['auth']> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('write' as const) },
  { weight: 1, arbitrary: fc.constantFrom('none' as const, 'admin' as const) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        'Basic',
        'Basic !!!',
        'Basic Og==',
        'Bearer ',
        'Bearer x',
        'Digest a=b',
        'x'.repeat(8000),
      )
      .map((header) => ({ header })),
  },
);

/** Single-message endpoints: hostile messages, raw junk, deep nesting, invalid JSON tokens. */
export const singleRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    url: fc.constantFrom(...singlePaths),
    body: fc.oneof(
      { weight: 6, arbitrary: hostileMessage(true) },
      { weight: 1, arbitrary: rawBodies },
      { weight: 1, arbitrary: nonJsonText.map((t) => `{"userId":"u","event":"e","n":${t}}`) },
    ),
    auth: hostileAuth,
    contentType: fc.option(contentTypes, { nil: undefined }),
  })
  .map(({ url, body, auth, contentType }): FuzzRequest => ({
    target: 'ingest.single',
    method: 'POST',
    url,
    auth,
    headers: contentType === undefined ? {} : { 'content-type': contentType },
    payload: body,
  }));

/** Batches: mixed (siblings tracked) or broken as a whole. */
export const batchRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .record({ url: fc.constantFrom(...batchPaths), batch: mixedBatch })
      .map(({ url, batch }): FuzzRequest => ({
        target: 'ingest.batch.mixed',
        method: 'POST',
        url,
        auth: 'write',
        headers: { 'content-type': 'application/json' },
        payload: batch.text,
        siblings: batch.siblings,
      })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        url: fc.constantFrom(...batchPaths),
        body: fc.oneof(hostileEnvelope, rawBodies),
        auth: hostileAuth,
      })
      .map(({ url, body, auth }): FuzzRequest => ({
        target: 'ingest.batch.envelope',
        method: 'POST',
        url,
        auth,
        payload: body,
      })),
  },
);

/** Raw bytes: invalid UTF-8 anywhere in an otherwise plausible body. */
export const invalidUtf8Request: fc.Arbitrary<FuzzRequest> = fc
  .record({
    url: fc.constantFrom(...singlePaths, ...batchPaths),
    body: withInvalidUtf8(
      fc.oneof(
        hostileMessage(),
        mixedBatch.map((b) => b.text),
      ),
    ),
    jsonl: fc.boolean(),
  })
  .map(({ url, body, jsonl }) => ({
    target: 'ingest.invalid-utf8',
    method: 'POST' as const,
    url,
    auth: 'write' as const,
    headers: {
      'content-type': jsonl && url === '/v1/import' ? 'application/x-ndjson' : 'text/plain',
    },
    payload: body,
  }));

// 4 MB of spaces gzip to 4 KB: the decoded body must hit the limit, not the heap (8 times
// the batch limit; /v1/import reads up to its own, larger limit before refusing a JSON body).
const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x20));

/** Content-Encoding: a gzipped mixed batch (siblings tracked), broken gzip, bombs, unknown codings. */
export const encodedRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    url: fc.constantFrom(...batchPaths, '/v1/track'),
    batch: mixedBatch,
    kind: fc.constantFrom('gzip', 'truncated', 'garbage', 'bomb', 'unknown', 'deflate-mismatch'),
    encoding: fc.constantFrom(
      'gzip',
      'GZIP',
      'x-gzip',
      'deflate',
      ' gzip ',
      'br',
      'gzip, gzip',
      'compress',
    ),
    cut: fc.nat(),
  })
  .map(({ url, batch, kind, encoding, cut }): FuzzRequest => {
    const zipped = gzipSync(batch.text);
    const bodies: Record<typeof kind, [Buffer, string]> = {
      gzip: [zipped, 'gzip'],
      truncated: [zipped.subarray(0, cut % zipped.length), 'gzip'],
      garbage: [Buffer.from(batch.text), encoding],
      bomb: [bomb, 'gzip'],
      unknown: [zipped, encoding],
      'deflate-mismatch': [zipped, 'deflate'],
    };
    const [payload, contentEncoding] = bodies[kind];
    const stored = kind === 'gzip' && url !== '/v1/track';
    return {
      target: 'ingest.encoded',
      method: 'POST',
      url,
      auth: 'write',
      headers: { 'content-type': 'application/json', 'content-encoding': contentEncoding },
      payload,
      ...(stored ? { siblings: batch.siblings } : {}),
    };
  });

/** JSONL uploads: hostile and garbage lines around valid ones (siblings tracked). */
export const importRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    lines: fc.array(
      fc.oneof(
        { weight: 3, arbitrary: hostileMessage().map((text) => ({ text, sibling: undefined })) },
        {
          weight: 1,
          arbitrary: fc
            .oneof(rawBodies, hostileValue)
            .map((text) => ({ text: text.replaceAll('\n', ' '), sibling: undefined })),
        },
        { weight: 2, arbitrary: validSibling },
      ),
      { minLength: 1, maxLength: 8 },
    ),
    eol: fc.constantFrom('\n', '\r\n'),
    type: fc.constantFrom(
      'application/x-ndjson',
      'application/jsonl',
      'application/json-lines; charset=utf-8',
    ),
  })
  .map(({ lines, eol, type }) => ({
    target: 'ingest.import.jsonl',
    method: 'POST' as const,
    url: '/v1/import',
    auth: 'write' as const,
    headers: { 'content-type': type },
    payload: lines.map((l) => l.text).join(eol),
    siblings: lines.flatMap((l) => (l.sibling === undefined ? [] : [l.sibling])),
  }));
