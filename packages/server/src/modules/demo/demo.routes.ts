import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { DemoSetup } from './demo-setup.js';

export interface DemoRouteDeps {
  setup: Pick<DemoSetup, 'ensure'>;
}

// The same from src/ (tests, tsx) and dist/ (npm start): packages/server/static/demo.
const pageFile = new URL('../../../static/demo/index.html', import.meta.url);

/** The demo shop (static, uses the SDK), with the demo source's write key filled in. */
export async function demoRoutes(app: FastifyInstance, { setup }: DemoRouteDeps): Promise<void> {
  let page: string | null = null;
  app.get(
    '/demo',
    {
      config: { permission: 'public' },
      schema: { tags: ['decisions'], summary: 'The demo shop page', hide: true },
    },
    async (_request, reply) => {
      const writeKey = await setup.ensure();
      page ??= await readFile(pageFile, 'utf8');
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(page.replaceAll('%ATTUNE_DEMO_WRITE_KEY%', writeKey));
    },
  );
}
