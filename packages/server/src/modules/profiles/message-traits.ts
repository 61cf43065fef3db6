type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;

/**
 * The traits a message says about its person: identify traits and `context.traits` (any
 * message type). A group call's traits describe the group, so they are kept under
 * `group` (with `groupId`) rather than mixed into the person's own.
 */
export function messageTraits(message: Json): Json | undefined {
  const context = asObject(asObject(message['context'])?.['traits']);
  let traits: Json | undefined = context === undefined ? undefined : { ...context };
  if (message['type'] === 'identify') {
    const own = asObject(message['traits']);
    if (own !== undefined) traits = { ...traits, ...own };
  } else if (message['type'] === 'group') {
    traits = { ...traits, groupId: message['groupId'], group: asObject(message['traits']) ?? {} };
  }
  return traits;
}
