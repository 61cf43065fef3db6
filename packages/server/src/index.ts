export { createApp, databaseFilesOf, type AttuneApp, type AppOverrides } from './app.js';
export { loadConfig, type Config } from './config/config.js';
export { ManualClock, systemClock, type Clock } from './platform/clock.js';
