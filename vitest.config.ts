import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/sdk-browser/test/**/*.test.ts',
      'e2e/**/*.test.ts',
    ],
    // Builds the browser SDK once, so tests can serve dist/attune.js.
    globalSetup: ['packages/sdk-browser/test/build-once.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
