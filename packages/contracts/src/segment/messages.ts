import { Type, type Static, type TProperties } from '@sinclair/typebox';

/**
 * The Segment Spec messages as accepted by the tracking API. Unknown extra fields are kept
 * (SDKs add `_metadata`, `channel`, `version`…), so objects allow additional properties.
 */
const JsonObject = Type.Record(Type.String(), Type.Unknown());

/** SDKs send ids as strings; some send numbers or null (anonymous analytics.js events). */
const OptionalId = Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Null()]));
const RequiredId = Type.Union([Type.String({ minLength: 1 }), Type.Number()]);

const common = {
  messageId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  userId: OptionalId,
  anonymousId: OptionalId,
  context: Type.Optional(JsonObject),
  integrations: Type.Optional(JsonObject),
  timestamp: Type.Optional(Type.String({ description: 'ISO-8601; when the event happened' })),
  sentAt: Type.Optional(Type.String({ description: 'ISO-8601; when the SDK sent it' })),
  originalTimestamp: Type.Optional(Type.String()),
  writeKey: Type.Optional(Type.String()),
} satisfies TProperties;

const options = { additionalProperties: true } as const;

export const TrackMessage = Type.Object(
  {
    ...common,
    type: Type.Literal('track'),
    event: Type.String({ minLength: 1, maxLength: 512 }),
    properties: Type.Optional(JsonObject),
  },
  { ...options, $id: 'TrackMessage' },
);
export const IdentifyMessage = Type.Object(
  { ...common, type: Type.Literal('identify'), traits: Type.Optional(JsonObject) },
  { ...options, $id: 'IdentifyMessage' },
);
/** page and screen share a shape: a view with an optional name and category. */
function viewMessage<T extends 'page' | 'screen'>(type: T, id: string) {
  const OptionalText = Type.Optional(Type.Union([Type.String(), Type.Null()]));
  return Type.Object(
    {
      ...common,
      type: Type.Literal(type),
      name: OptionalText,
      category: OptionalText,
      properties: Type.Optional(JsonObject),
    },
    { ...options, $id: id },
  );
}
export const PageMessage = viewMessage('page', 'PageMessage');
export const ScreenMessage = viewMessage('screen', 'ScreenMessage');
export const GroupMessage = Type.Object(
  {
    ...common,
    type: Type.Literal('group'),
    groupId: RequiredId,
    traits: Type.Optional(JsonObject),
  },
  { ...options, $id: 'GroupMessage' },
);
export const AliasMessage = Type.Object(
  { ...common, type: Type.Literal('alias'), previousId: RequiredId },
  { ...options, $id: 'AliasMessage' },
);

export type TrackMessage = Static<typeof TrackMessage>;
export type IdentifyMessage = Static<typeof IdentifyMessage>;
export type PageMessage = Static<typeof PageMessage>;
export type ScreenMessage = Static<typeof ScreenMessage>;
export type GroupMessage = Static<typeof GroupMessage>;
export type AliasMessage = Static<typeof AliasMessage>;
export type SegmentMessage =
  TrackMessage | IdentifyMessage | PageMessage | ScreenMessage | GroupMessage | AliasMessage;

export const messageTypes = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type MessageType = (typeof messageTypes)[number];

export const messageSchemas = {
  track: TrackMessage,
  identify: IdentifyMessage,
  page: PageMessage,
  screen: ScreenMessage,
  group: GroupMessage,
  alias: AliasMessage,
} as const;

export function isMessageType(value: unknown): value is MessageType {
  return typeof value === 'string' && (messageTypes as readonly string[]).includes(value);
}

/** `POST /v1/batch` (and `/v1/b`, which analytics.js uses). */
export const BatchRequest = Type.Object(
  {
    batch: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    context: Type.Optional(JsonObject),
    integrations: Type.Optional(JsonObject),
    writeKey: Type.Optional(Type.String()),
    sentAt: Type.Optional(Type.String()),
  },
  { ...options, $id: 'BatchRequest' },
);
export type BatchRequest = Static<typeof BatchRequest>;

export const IngestSuccess = Type.Object({ success: Type.Literal(true) }, { $id: 'IngestSuccess' });
