export * from './ingest/iso-timestamp.js';
export * from './ingest/event-time.js';
export * from './ingest/batch-defaults.js';
export * from './time/duration.js';
export * from './dedup/fingerprint.js';
export * from './dedup/message-id-index.js';
export * from './ingest/batch-spans.js';
