import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { sendProblem } from '../../http/problem.js';

interface Asset {
  body: Buffer;
  etag: string;
}

const builds = {
  'attune.js': '@attune/sdk-browser/attune.js',
  'attune.esm.js': '@attune/sdk-browser/attune.esm.js',
} as const;

/** Where the SDK's builds are (the workspace package's dist), or null when not installed. */
function resolveBuild(specifier: string): string | null {
  try {
    return createRequire(import.meta.url).resolve(specifier);
  } catch {
    return null;
  }
}

/**
 * The browser SDK, so a site needs one script tag: `/sdk/attune.js` (IIFE, `window.attune`)
 * and `/sdk/attune.esm.js`. Read once, then served from memory with an ETag; cacheable for
 * an hour, since a site keeps working with the previous build.
 */
export async function sdkRoutes(app: FastifyInstance): Promise<void> {
  const assets = new Map<string, Asset>();
  for (const [name, specifier] of Object.entries(builds)) {
    app.get(
      `/sdk/${name}`,
      {
        config: { permission: 'public' },
        schema: { tags: ['decisions'], summary: `The browser SDK (${name})`, hide: true },
      },
      async (request, reply) => {
        let asset = assets.get(name);
        if (asset === undefined) {
          const path = resolveBuild(specifier);
          const body = path === null ? null : await readFile(path).catch(() => null);
          if (body === null)
            return sendProblem(
              reply,
              'sdk_not_built',
              'Build it with `npm run build` (npm start does) and reload',
            );
          asset = { body, etag: `"${createHash('sha256').update(body).digest('base64url')}"` };
          assets.set(name, asset);
        }
        reply
          .header('content-type', 'text/javascript; charset=utf-8')
          .header('cache-control', 'public, max-age=3600')
          .header('access-control-allow-origin', '*')
          .header('etag', asset.etag);
        if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
        return reply.send(asset.body);
      },
    );
  }
}
