import { Inject, Injectable } from '@nestjs/common';
import { Metrics } from '@chaperone/service-runtime';
import { ApprovalReadModel } from '../lifecycle/read-model';
import { CLOCK, type Clock } from '../tokens';

/**
 * The approval service's figures, observed from this replica's read model at scrape time (nothing
 * runs between scrapes; every replica folds every approval, so each reports the same numbers):
 * - `chaperone.approval.held`: approvals waiting for a human now (pending);
 * - `chaperone.approval.oldest.age` (s): how long the oldest of them has waited, 0 when none does.
 */
@Injectable()
export class ApprovalMetrics {
  constructor(@Inject(Metrics) metrics: Metrics, readModel: ApprovalReadModel, @Inject(CLOCK) clock: Clock) {
    const held = metrics.meter.createObservableGauge('chaperone.approval.held', { unit: '{approval}', description: 'approvals waiting for a decision' });
    const oldest = metrics.meter.createObservableGauge('chaperone.approval.oldest.age', { unit: 's', description: 'age of the oldest approval still waiting' });
    metrics.meter.addBatchObservableCallback(
      (result) => {
        let count = 0;
        let first = Infinity;
        for (const state of readModel.all()) {
          if (state.status !== 'pending') continue;
          count++;
          first = Math.min(first, Date.parse(state.terms.requestedAt));
        }
        result.observe(held, count);
        result.observe(oldest, count > 0 && Number.isFinite(first) ? Math.max(0, (clock().getTime() - first) / 1000) : 0);
      },
      [held, oldest],
    );
  }
}
