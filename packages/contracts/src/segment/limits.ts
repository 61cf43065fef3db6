/** Limits of the Segment HTTP Tracking API, which SDKs already respect. */
export const ingestLimits = {
  /** 32 KB per message, measured as UTF-8 bytes of its JSON. */
  maxMessageBytes: 32 * 1024,
  /** 500 KB per batch request body (after decompression). */
  maxBatchBytes: 500 * 1024,
  maxBatchMessages: 2500,
} as const;
