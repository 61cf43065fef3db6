import { createApp } from '../app.js';
import { loadConfig } from '../config/config.js';
import { environment } from '../config/environment.js';

interface ServeFlags {
  port?: string;
  host?: string;
  dataDir?: string;
  logLevel?: string;
  dedupWindow?: string;
  processor?: boolean;
}

export async function serveCommand(flags: ServeFlags): Promise<void> {
  const { processor, ...rest } = flags;
  const config = loadConfig({
    env: environment(),
    flags: { ...rest, ...(processor === false ? { processor: 'off' } : {}) },
  });
  const app = await createApp(config);
  const address = await app.http.listen({ port: config.port, host: config.host });
  const url = localUrl(address);

  const out: string[] = [
    `\nAttune is listening on ${url}  (data in ${app.files.log})`,
    `API docs: ${url}/docs`,
  ];
  const writeKey = app.bootstrap.created.find((k) => k.kind === 'write')?.key;
  const adminKey = app.bootstrap.created.find((k) => k.kind === 'secret')?.key;
  if (writeKey !== undefined || adminKey !== undefined) {
    out.push(
      '',
      'First start: these keys were created. They are shown only this once; store them now.',
    );
    if (writeKey !== undefined) out.push(`  write key (default source): ${writeKey}`);
    if (adminKey !== undefined) out.push(`  admin key:                  ${adminKey}`);
  }
  const key = writeKey ?? '<your write key>';
  out.push(
    '',
    'Send a first event:',
    `  curl -u '${key}:' -H 'content-type: application/json' \\`,
    `    -d '{"userId":"ann","event":"Product Viewed","properties":{"sku":"A-1"}}' ${url}/v1/track`,
    'Then read it back:',
    `  curl -H 'authorization: Bearer ${adminKey ?? '<your admin key>'}' ${url}/v1/events`,
    '',
  );
  process.stdout.write(`${out.join('\n')}\n`);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    app.http.log.info({ signal }, 'shutting down');
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

function localUrl(address: string): string {
  return address.replace('://0.0.0.0', '://localhost').replace('://[::]', '://localhost');
}
