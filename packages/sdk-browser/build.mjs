// Builds dist/attune.esm.js (ESM, for bundlers) and dist/attune.js (a minified IIFE for a
// <script> tag, which sets window.attune). `node build.mjs` or import { build }.
import * as esbuild from 'esbuild';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const common = {
  absWorkingDir: here,
  bundle: true,
  target: 'es2019',
  legalComments: 'none',
  logLevel: 'warning',
};

export async function build() {
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: ['src/esm.ts'],
      outfile: 'dist/attune.esm.js',
      format: 'esm',
      sourcemap: true,
    }),
    esbuild.build({
      ...common,
      entryPoints: ['src/script.ts'],
      outfile: 'dist/attune.js',
      format: 'iife',
      minify: true,
    }),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build();
