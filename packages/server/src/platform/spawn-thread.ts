import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on `entry` (a path relative to `base`, without extension). From
 * dist that is a JavaScript file. Tests run the TypeScript sources: there the thread first
 * registers tsx's loader (loaders are per thread) and resolves workspace packages to their
 * sources, as the test process does.
 */
export function spawnThread(entry: string, base: string, workerData: unknown): Worker {
  if (!base.endsWith('.ts')) return new Worker(new URL(`${entry}.js`, base), { workerData });
  // require.resolve finds tsx's CommonJS build; the thread wants the ESM API beside it.
  const tsxApi = pathToFileURL(
    createRequire(base)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const script = new URL(`${entry}.ts`, base).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); })`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv: ['--conditions=source'] });
}
