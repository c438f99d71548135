import { performance } from 'node:perf_hooks';
import type { NatsConnection } from 'nats';
import type { Histogram, Meter } from '@opentelemetry/api';
import { EvidenceStreams, type BusSubjects } from '@chaperone/contracts';
import type { ChainedEventStore } from '@chaperone/event-store';
import { DURATION_BUCKETS_SECONDS } from '@chaperone/service-runtime';

/**
 * The audit service's figures:
 * - `chaperone.audit.consumer.lag`: evidence events on the bus not yet in the store (the events
 *   stream is a work queue: what it holds is what audit has not stored), and
 *   `chaperone.audit.consumer.lag.age` (s): how long the oldest of them has waited. Both are read
 *   from JetStream at scrape time; a full backlog makes the ingress refuse requests (fail closed).
 * - `chaperone.audit.append.duration` (s): one append to the event store (a stream's batch).
 * - `chaperone.evidence.checkpoint.age` (s): since the last signed checkpoint was stored (read from
 *   the store at scrape time; absent until there is one).
 */
export function registerAuditMetrics(meter: Meter, deps: { nc: NatsConnection; subjects: BusSubjects; store: ChainedEventStore }): void {
  const lag = meter.createObservableGauge('chaperone.audit.consumer.lag', { unit: '{event}', description: 'evidence events on the bus not yet stored' });
  const lagAge = meter.createObservableGauge('chaperone.audit.consumer.lag.age', { unit: 's', description: 'age of the oldest evidence event not yet stored' });
  meter.addBatchObservableCallback(
    async (result) => {
      if (deps.nc.isClosed()) return;
      try {
        const { state } = await (await deps.nc.jetstreamManager()).streams.info(deps.subjects.eventsStream);
        result.observe(lag, state.messages);
        const first = Date.parse(state.first_ts);
        result.observe(lagAge, state.messages > 0 && Number.isFinite(first) ? Math.max(0, (Date.now() - first) / 1000) : 0);
      } catch {
        // No figure rather than a wrong one: the scrape shows the series missing.
      }
    },
    [lag, lagAge],
  );

  meter
    .createObservableGauge('chaperone.evidence.checkpoint.age', { unit: 's', description: 'seconds since the last signed checkpoint of the chains' })
    .addCallback(async (result) => {
      try {
        const last = await deps.store.readLastEvent(EvidenceStreams.checkpoints);
        if (last) result.observe(Math.max(0, (Date.now() - Date.parse(last.recordedAt)) / 1000));
      } catch {
        // The store is unreachable: no figure (the readiness check says why).
      }
    });

  timeAppends(deps.store, meter.createHistogram('chaperone.audit.append.duration', {
    unit: 's',
    description: 'one append of a stream batch to the event store',
    advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_SECONDS] },
  }));
}

/** Wrap the store's append (this instance only) to time it; failures are timed under error.type. */
function timeAppends(store: ChainedEventStore, duration: Histogram): void {
  const append = store.append.bind(store);
  const ok = Object.freeze({});
  const failed = Object.freeze({ 'error.type': 'append-failed' });
  store.append = async (...args: Parameters<ChainedEventStore['append']>) => {
    const started = performance.now();
    try {
      const result = await append(...args);
      duration.record((performance.now() - started) / 1000, ok);
      return result;
    } catch (e) {
      duration.record((performance.now() - started) / 1000, failed);
      throw e;
    }
  };
}
