import fc from 'fast-check';
import { anyCondition } from './condition-payloads.fixture.js';
import type { FuzzRequest } from './fuzz-request.fixture.js';
import {
  deepNesting,
  hostileString,
  hostileValue,
  hugeString,
  objectText,
  pollutionKey,
  pollutionObject,
  stringText,
  type JsonText,
} from './hostile-values.fixture.js';

/** Right two times in three, otherwise hostile; `undefined` leaves the field out. */
const orHostile = (right: fc.Arbitrary<JsonText>) =>
  fc.oneof(
    { weight: 2, arbitrary: right },
    { weight: 1, arbitrary: hostileValue },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

const extras = fc.array(fc.tuple(fc.oneof(pollutionKey, hostileString), hostileValue), {
  maxLength: 2,
});

/** A path segment as a client could send it: encoded, raw traversal, broken escapes, huge. */
export const hostilePathParam: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: hostileString.map((s) => encodeBytes(s)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '..',
      '%2e%2e',
      '..%2f..%2fetc',
      '%00',
      'a%00b',
      '%',
      '%ZZ',
      '%E0%A4%A',
      '%C0%AF',
      '%ED%A0%80',
      '%F0%9F%94%A5',
      'user_id:u1',
      'user_id:',
      ':',
      'email:%00',
      '__proto__',
      'constructor',
      'p_',
      'x'.repeat(10_000),
      'user_id:' + '9'.repeat(400),
      '%25',
      '+',
      ' ',
    ),
  },
);

/** Percent-encodes the UTF-8 bytes, so even lone surrogates (U+FFFD on the wire) make a URL. */
function encodeBytes(s: string): string {
  return [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

const segmentBody = fc
  .record({
    id: fc.option(orHostile(fc.constantFrom('"fuzz-x"', '"__proto__"', '"constructor"', '"a"')), {
      nil: undefined,
    }),
    name: orHostile(
      fc.oneof(hostileString, fc.constantFrom('Fuzz', '__proto__', 'constructor')).map(stringText),
    ),
    description: fc.option(orHostile(fc.oneof(hugeString, fc.constant('"d"'))), { nil: undefined }),
    condition: fc.oneof(
      { weight: 9, arbitrary: anyCondition },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
    extra: extras,
  })
  .map(({ extra, ...f }) => objectText([...Object.entries(f), ...extra]));

const previewBody = fc
  .record({
    condition: anyCondition,
    // Kept small: a preview scans profiles, and the fuzz run must stay quick.
    sample: fc.option(orHostile(fc.constantFrom('0', '1', '100', '101', '-1', '1.5', '1e400')), {
      nil: undefined,
    }),
    maxProfiles: orHostile(
      fc.constantFrom('1', '5', '20', '0', '-1', '1000001', '1e400', '2.5'),
    ).map((v) => v ?? '5'),
    extra: extras,
  })
  .map(({ extra, ...f }) => objectText([...Object.entries(f), ...extra]));

const keyBody = fc
  .record({
    kind: orHostile(fc.constantFrom('"write"', '"secret"', '"admin"', '"__proto__"').map((k) => k)),
    name: orHostile(fc.oneof(hostileString.map(stringText), hugeString)),
    sourceId: fc.option(orHostile(fc.oneof(hostileString, pollutionKey).map(stringText)), {
      nil: undefined,
    }),
    role: fc.option(orHostile(fc.constantFrom('"admin"', '"marketer"', '"constructor"')), {
      nil: undefined,
    }),
    extra: extras,
  })
  .map(({ extra, ...f }) => objectText([...Object.entries(f), ...extra]));

/** JSON Schemas as a user could write them, wrong or adversarial. */
const jsonSchema: fc.Arbitrary<JsonText> = fc.oneof(
  fc.constantFrom(
    'true',
    'false',
    '{}',
    '{"type":"object"}',
    '{"type":"object","properties":{"__proto__":{"type":"string"},"constructor":{"type":"number"}}}',
    '{"type":"object","required":["__proto__","constructor"]}',
    '{"type":"string","pattern":"(a+)+$"}',
    '{"pattern":"["}',
    '{"requried":["x"]}',
    '{"$ref":"#/definitions/nope"}',
    '{"$ref":"http://example.com/schema"}',
    '{"type":"string","format":"no-such-format"}',
    '{"type":"nope"}',
    '{"minimum":"x"}',
    '{"$id":"#x","definitions":{"a":{"$ref":"#/definitions/a"}},"$ref":"#/definitions/a"}',
  ),
  pollutionObject,
  hostileValue,
  deepNesting.map((d) => `{"default":${d}}`),
  fc.integer({ min: 100, max: 3000 }).map((n) => `${'{"not":'.repeat(n)}{}${'}'.repeat(n)}`),
);

const schemasByName = fc
  .array(fc.tuple(fc.oneof(pollutionKey, hostileString, fc.constant('Clicked')), jsonSchema), {
    maxLength: 4,
  })
  .map((entries) => objectText(entries));

const planBody = fc
  .record({
    mode: orHostile(fc.constantFrom('"flag"', '"reject"')),
    events: orHostile(schemasByName),
    identifyTraits: fc.option(orHostile(jsonSchema), { nil: undefined }),
    pages: fc.option(orHostile(schemasByName), { nil: undefined }),
    screens: fc.option(orHostile(schemasByName), { nil: undefined }),
    extra: extras,
  })
  .map(({ extra, ...f }) => objectText([...Object.entries(f), ...extra]));

const journeyBody = fc.oneof(
  fc
    .array(
      fc
        .record({
          name: orHostile(
            fc
              .oneof(fc.constantFrom('aware', 'buy', '__proto__', 'constructor'), hostileString)
              .map(stringText),
          ),
          description: fc.option(orHostile(fc.constant('"d"')), { nil: undefined }),
          condition: anyCondition,
          extra: extras,
        })
        .map(({ extra, ...f }) => objectText([...Object.entries(f), ...extra])),
      { maxLength: 22 },
    )
    .map((stages) => `{"stages":[${stages.join(',')}]}`),
  orHostile(fc.constantFrom('"ecommerce"', '"__proto__"', '"constructor"', '"toString"')).map((t) =>
    objectText([['template', t]]),
  ),
  hostileValue,
);

/** Consent choices: hostile purposes maps, ids, sources and timestamps. */
const consentBody: fc.Arbitrary<JsonText> = fc.oneof(
  fc
    .tuple(
      orHostile(fc.constantFrom('"fuzz-consent"', '"__proto__"', '"constructor"')),
      orHostile(
        fc.constantFrom(
          '{"analytics":true}',
          '{"__proto__":{"analytics":false}}',
          '{"constructor":true,"marketing_email":"yes"}',
          '{"advertising":null}',
        ),
      ),
      orHostile(fc.constantFrom('"api"', '"import"', '"tcf"', '"__proto__"')),
    )
    .map(([userId, purposes, source]) =>
      objectText([
        ['userId', userId],
        ['purposes', purposes],
        ['source', source],
      ]),
    ),
  hostileValue,
);

/**
 * Admin writes. `fuzz-base` is a segment and `fuzzplan` a source created by the test; plans
 * go there so the `default` source the ingest properties use keeps its fixed plan.
 */
export const adminWriteRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  segmentBody.map((payload) => post('segments.create', 'POST', '/v1/segments', payload)),
  fc
    .tuple(fc.oneof(fc.constant('fuzz-base'), hostilePathParam), segmentBody)
    .map(([id, payload]) => post('segments.update', 'PUT', `/v1/segments/${id}`, payload)),
  previewBody.map((payload) => post('segments.preview', 'POST', '/v1/segments/preview', payload)),
  hostilePathParam.map((id) => post('segments.delete', 'DELETE', `/v1/segments/${id}`, undefined)),
  keyBody.map((payload) => post('keys.create', 'POST', '/v1/keys', payload)),
  hostilePathParam.map((id) => post('keys.delete', 'DELETE', `/v1/keys/${id}`, undefined)),
  fc
    .tuple(
      fc.oneof(
        { weight: 3, arbitrary: fc.constant('fuzzplan') },
        { weight: 1, arbitrary: hostilePathParam },
      ),
      planBody,
    )
    .map(([source, payload]) =>
      post('tracking-plans.put', 'PUT', `/v1/sources/${source}/tracking-plan`, payload),
    ),
  hostilePathParam.map((s) =>
    post('tracking-plans.delete', 'DELETE', `/v1/sources/${s}/tracking-plan`, undefined),
  ),
  journeyBody.map((payload) =>
    post('journey-map.put', 'PUT', '/v1/journey-map/definition', payload),
  ),
  fc
    .tuple(
      fc.constantFrom('/v1/rfm/recompute', '/v1/rfm/segments/install'),
      fc.option(hostileValue, { nil: undefined }),
    )
    .map(([url, payload]) => post('rfm.post', 'POST', url, payload)),
  consentBody.map((payload) => post('consent.post', 'POST', '/v1/consent', payload)),
  hostilePathParam.map((id) =>
    post('privacy.erase', 'DELETE', `/v1/privacy/profiles/${id}`, undefined),
  ),
  fc
    .option(hostileValue, { nil: undefined })
    .map((payload) => post('retention.purge', 'POST', '/v1/privacy/retention/purge', payload)),
);

function post(
  target: string,
  method: FuzzRequest['method'],
  url: string,
  payload: JsonText | undefined,
): FuzzRequest {
  return {
    target,
    method,
    url,
    auth: 'admin',
    ...(payload === undefined ? {} : { headers: { 'content-type': 'application/json' }, payload }),
  };
}
