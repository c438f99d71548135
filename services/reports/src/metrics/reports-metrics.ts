import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '@chaperone/event-store';
import { Metrics } from '@chaperone/service-runtime';
import { Projector } from '../projection/projector';
import { EVENT_STORE } from '../tokens';

/** Counted no further: beyond it the projection is far behind, and the age tells how far. */
export const LAG_COUNT_LIMIT = 1000;

/**
 * The reports service's figures, read at scrape time:
 * - `chaperone.reports.projection.position`: the store position this replica's read model reached;
 * - `chaperone.reports.projection.lag`: events in the store not yet in the read model (counted up
 *   to LAG_COUNT_LIMIT), and `chaperone.reports.projection.lag.age` (s): how long ago the first of
 *   them was stored, 0 when caught up.
 */
@Injectable()
export class ReportsMetrics {
  constructor(@Inject(Metrics) metrics: Metrics, projector: Projector, @Inject(EVENT_STORE) store: EventStore) {
    const { meter } = metrics;
    const position = meter.createObservableGauge('chaperone.reports.projection.position', { unit: '{event}', description: 'store position the read model reached' });
    const lag = meter.createObservableGauge('chaperone.reports.projection.lag', { unit: '{event}', description: 'stored events not yet in the read model' });
    const lagAge = meter.createObservableGauge('chaperone.reports.projection.lag.age', { unit: 's', description: 'age of the oldest stored event not yet in the read model' });
    meter.addBatchObservableCallback(
      async (result) => {
        const at = projector.readModel.position;
        result.observe(position, at);
        try {
          const behind = await store.readAll({ fromPosition: at + 1, maxCount: LAG_COUNT_LIMIT });
          result.observe(lag, behind.length);
          const first = behind[0];
          result.observe(lagAge, first ? Math.max(0, (Date.now() - Date.parse(first.recordedAt)) / 1000) : 0);
        } catch {
          // The store is unreachable: no lag figure (the readiness check says why).
        }
      },
      [position, lag, lagAge],
    );
  }
}
