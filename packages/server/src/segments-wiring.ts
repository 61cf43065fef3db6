import type { ComputedTraitDefinition, RfmBreakpoints } from '@attune/engine';
import type { FastifyInstance } from 'fastify';
import {
  SqliteJourneyMapDefinitionStore,
  SqliteJourneyMapStatsStore,
} from './adapters/sqlite/journey-map.sqlite.js';
import type { SqliteDatabase } from './adapters/sqlite/open-database.js';
import type { SqliteEventLog } from './adapters/sqlite/event-log.sqlite.js';
import type { SqliteProfileStore } from './adapters/sqlite/profile-store.sqlite.js';
import type { SqliteRfmSnapshotsStore } from './adapters/sqlite/rfm-snapshots.sqlite.js';
import { SqliteSegmentDefinitionsStore } from './adapters/sqlite/segment-definitions.sqlite.js';
import { SqliteSegmentMembersStore } from './adapters/sqlite/segment-members.sqlite.js';
import type { Config } from './config/config.js';
import { journeyMapRoutes } from './modules/journey-map/journey-map.routes.js';
import { JourneyMapService } from './modules/journey-map/journey-map.service.js';
import type { ProfilesService } from './modules/profiles/profiles.service.js';
import { rfmRoutes } from './modules/rfm/rfm.routes.js';
import { RfmSchedule } from './modules/rfm/rfm-schedule.js';
import { RfmService } from './modules/rfm/rfm.service.js';
import { SegmentPreviewer } from './modules/segments/segment-preview.js';
import { segmentRoutes } from './modules/segments/segments.routes.js';
import { SegmentsService } from './modules/segments/segments.service.js';
import type { Clock } from './platform/clock.js';

export interface SegmentsWiring {
  db: SqliteDatabase;
  stateDb: SqliteDatabase;
  config: Pick<Config, 'rfm'>;
  profiles: ProfilesService;
  profileStore: SqliteProfileStore;
  eventLog: Pick<SqliteEventLog, 'readTracks'>;
  computedTraits: readonly ComputedTraitDefinition[];
  rfmSnapshots: SqliteRfmSnapshotsStore;
  rfmBreakpoints: () => RfmBreakpoints | null;
  clock: Clock;
  logger: FastifyInstance['log'];
}

/** Segments, RFM and the journey map: their services and routes (the processor computes them). */
export async function registerSegments(http: FastifyInstance, w: SegmentsWiring) {
  const { clock } = w;
  const segmentDefinitions = new SqliteSegmentDefinitionsStore(w.db);
  const segments = new SegmentsService({
    definitions: segmentDefinitions,
    members: new SqliteSegmentMembersStore(w.stateDb),
    profiles: w.profiles,
    previewer: new SegmentPreviewer({
      profiles: w.profileStore,
      readTracks: (offsets, events, withProperties) =>
        w.eventLog.readTracks(offsets, events, withProperties),
      computedTraits: w.computedTraits,
      rfmBreakpoints: w.rfmBreakpoints,
      clock,
    }),
    clock,
  });
  await http.register(segmentRoutes, { segments });
  const rfm = new RfmService({
    snapshots: w.rfmSnapshots,
    profiles: w.profileStore,
    segments,
    clock,
  });
  await http.register(rfmRoutes, { rfm });
  const rfmSchedule =
    w.config.rfm.recomputeHours === 0
      ? null
      : new RfmSchedule({
          rfm,
          clock,
          intervalMs: w.config.rfm.recomputeHours * 3_600_000,
          logger: w.logger,
        });
  const journeyMap = new JourneyMapService({
    definitions: new SqliteJourneyMapDefinitionStore(w.db),
    stats: new SqliteJourneyMapStatsStore(w.stateDb),
    clock,
  });
  await http.register(journeyMapRoutes, { journeyMap });
  return { segments, segmentDefinitions, rfm, rfmSchedule };
}
