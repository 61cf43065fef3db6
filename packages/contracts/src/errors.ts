/**
 * The registry of stable error codes. Every problem+json response carries one of these
 * codes; clients may switch on them, so a code is never renamed or reused.
 */
export const errorCodes = {
  invalid_json: { status: 400, title: 'Request body is not valid JSON' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  unsupported_content_encoding: { status: 415, title: 'Unsupported content encoding' },
  payload_too_large: { status: 413, title: 'Request body is too large' },
  message_too_large: { status: 413, title: 'Message is too large' },
  message_too_deep: { status: 400, title: 'Message is nested too deeply' },
  uri_too_long: { status: 414, title: 'Request URL or a path parameter is too long' },
  batch_too_many_messages: { status: 400, title: 'Batch holds too many messages' },
  batch_rejected: { status: 400, title: 'Some or all messages of the batch were rejected' },
  invalid_batch: { status: 400, title: 'Batch is malformed' },
  invalid_message: { status: 400, title: 'Message is not an object' },
  unknown_message_type: { status: 400, title: 'Unknown message type' },
  missing_identity: { status: 400, title: 'userId or anonymousId is required' },
  missing_field: { status: 400, title: 'A required field is missing' },
  invalid_field: { status: 400, title: 'A field has the wrong type or format' },
  invalid_timestamp: { status: 400, title: 'Timestamp is not ISO-8601' },
  missing_write_key: { status: 401, title: 'Write key is missing' },
  invalid_write_key: { status: 401, title: 'Write key is unknown or revoked' },
  missing_api_key: { status: 401, title: 'API key is missing' },
  invalid_api_key: { status: 401, title: 'API key is unknown or revoked' },
  forbidden: { status: 403, title: 'The key may not do this' },
  rate_limited: { status: 429, title: 'Too many requests for this key; retry after Retry-After' },
  invalid_request: { status: 400, title: 'Request parameters are invalid' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  tracking_plan_violation: {
    status: 400,
    title: "The message does not match its source's tracking plan",
  },
  invalid_tracking_plan: {
    status: 400,
    title: 'The tracking plan holds a schema that cannot be used',
  },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  invalid_condition: { status: 400, title: 'The condition cannot be used' },
  unknown_segment: { status: 400, title: 'The condition refers to a segment that does not exist' },
  segment_cycle: { status: 400, title: 'The segment would depend on itself' },
  upgrade_required: { status: 426, title: 'This endpoint speaks WebSocket only' },
  invalid_journey: { status: 400, title: 'The journey definition cannot be used' },
  unknown_placement: { status: 400, title: 'No placement has this id' },
  invalid_template: { status: 400, title: 'The Liquid template cannot be parsed' },
  sdk_not_built: { status: 503, title: 'The browser SDK has not been built' },
  unknown_purpose: { status: 400, title: 'The consent purpose is not configured' },
  rfm_not_computed: { status: 404, title: 'RFM scores have not been computed yet' },
  erasure_incomplete: {
    status: 500,
    title: 'The erasure ran but a verification scan still found the subject',
  },
  storage_unavailable: { status: 503, title: 'Storage is unavailable' },
  internal_error: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCodes;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorCodes, value);
}
