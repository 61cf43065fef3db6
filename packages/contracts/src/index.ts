export * from './errors.js';
export * from './api/problem.js';
export * from './api/events.js';
export * from './api/keys.js';
export * from './segment/messages.js';
export * from './segment/limits.js';
export * from './api/profiles.js';
export * from './profiles/computed-traits.js';
