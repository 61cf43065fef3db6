type JsonObject = Record<string, unknown>;

export interface BatchDefaults {
  context?: JsonObject | undefined;
  integrations?: JsonObject | undefined;
}

/**
 * Applies batch-level `context` and `integrations` to one message. The message's own keys
 * win; nested objects (e.g. `context.library`) are not merged deeper, as in Segment.
 */
export function applyBatchDefaults<T extends JsonObject>(message: T, defaults: BatchDefaults): T {
  const { context, integrations } = defaults;
  if (context === undefined && integrations === undefined) return message;
  const merged: JsonObject = { ...message };
  if (context !== undefined) merged['context'] = { ...context, ...asObject(message['context']) };
  if (integrations !== undefined) {
    merged['integrations'] = { ...integrations, ...asObject(message['integrations']) };
  }
  return merged as T;
}

function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}
