import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { version } from '../src/version.js';

const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

/** The budget for the script-tag build, gzipped. */
const budget = 12 * 1024;

describe('the SDK build', () => {
  it('builds the script-tag IIFE within 12 KB gzipped', () => {
    execFileSync(process.execPath, [fileURLToPath(new URL('build.mjs', root))]);
    const script = read('dist/attune.js');
    const gzipped = gzipSync(script, { level: 9 }).length;
    console.log(
      `dist/attune.js: ${script.length} bytes, ${gzipped} bytes gzipped (budget ${budget})`,
    );
    expect(gzipped).toBeLessThanOrEqual(budget);
  });

  it('has no runtime dependencies, and library.version is the package version', () => {
    const pkg = JSON.parse(read('package.json')) as Record<string, unknown>;
    expect(pkg['dependencies']).toBeUndefined();
    expect(pkg['peerDependencies']).toBeUndefined();
    expect(version).toBe(pkg['version']);
  });

  it('builds an ES module exporting Attune and createAttune', async () => {
    const esm = read('dist/attune.esm.js');
    expect(esm).toMatch(/export\s*\{[^}]*\bAttune\b/);
    expect(esm).toMatch(/export\s*\{[^}]*\bcreateAttune\b/);
    expect(read('dist/attune.js')).not.toMatch(/^\s*export\b|^\s*import\b/m);
  });
});
