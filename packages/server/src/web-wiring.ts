import type { FastifyInstance } from 'fastify';
import type { ApiKeysService } from './modules/access/api-keys.service.js';
import { demoRoutes } from './modules/demo/demo.routes.js';
import { DemoSetup } from './modules/demo/demo-setup.js';
import { derivedWriteKey } from './modules/access/derived-write-key.js';
import type { PlacementsService } from './modules/decisions/placements.service.js';
import { sdkRoutes } from './modules/sdk/sdk.routes.js';
import type { SegmentsService } from './modules/segments/segments.service.js';
import type { Keyring } from './platform/keyring.js';

export interface WebWiring {
  demo: boolean;
  keys: Pick<ApiKeysService, 'ensureWriteKey'>;
  keyring: Pick<Keyring, 'pseudonym'>;
  segments: Pick<SegmentsService, 'create' | 'idUsed'>;
  placements: Pick<PlacementsService, 'create' | 'idUsed'>;
}

/** What browsers load: the SDK at /sdk/attune.js and, unless turned off, the demo shop. */
export async function registerWeb(http: FastifyInstance, w: WebWiring): Promise<void> {
  await http.register(sdkRoutes);
  if (!w.demo) return;
  const setup = new DemoSetup({
    writeKey: derivedWriteKey(w.keyring, 'demo'),
    ensureWriteKey: (value, sourceId, name) => w.keys.ensureWriteKey(value, sourceId, name),
    segmentIdUsed: (id) => w.segments.idUsed(id),
    createSegment: (input) => w.segments.create(input),
    placementIdUsed: (id) => w.placements.idUsed(id),
    createPlacement: (input) => w.placements.create(input),
  });
  await http.register(demoRoutes, { setup });
}
