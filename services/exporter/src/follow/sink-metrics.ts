import type { EventStore } from '@chaperone/event-store';
import type { Metrics } from '@chaperone/service-runtime';
import type { SinkStatus } from './sink-follower';

/** The most events a scrape counts behind a sink; a sink further behind reports this many. */
export const LAG_COUNT_CAP = 10_000;

/**
 * The exporter's metrics on /metrics, per sink (attribute `sink`):
 * - `chaperone.export.lag.events`: events in the store after the sink's delivered position (counted
 *   at scrape time, at most LAG_COUNT_CAP): how far behind the store's head the sink is;
 * - `chaperone.export.lag.seconds`: between the newest delivered event's recording and its delivery;
 * - `chaperone.export.delivered`: records delivered since start;
 * - `chaperone.export.delivery.failures`: failed delivery (or checkpoint) attempts since start;
 * - `chaperone.export.backoff.seconds`: the wait before the next attempt while a sink backs off (0 when
 *   it is not), and `chaperone.export.delivery.consecutive_failures`: the failures of that streak.
 */
export function registerSinkMetrics(meter: Metrics['meter'], store: Pick<EventStore, 'readAll'>, sinks: () => readonly SinkStatus[]): void {
  const attrs = (s: SinkStatus) => ({ sink: s.name });
  meter
    .createObservableGauge('chaperone.export.lag.events', { unit: '{event}', description: `events in the evidence store not yet delivered by the sink (counted up to ${LAG_COUNT_CAP})` })
    .addCallback(async (result) => {
      for (const s of sinks()) {
        // readAll from the position after the last delivered one: one bounded read per sink and scrape.
        const behind = await store.readAll({ fromPosition: s.deliveredThrough + 1, maxCount: LAG_COUNT_CAP }).then(
          (events) => events.length,
          () => undefined,
        );
        if (behind !== undefined) result.observe(behind, attrs(s));
      }
    });
  meter
    .createObservableGauge('chaperone.export.lag.seconds', { unit: 's', description: 'seconds between the newest delivered event being recorded and its delivery' })
    .addCallback((result) => {
      for (const s of sinks()) if (s.lagSeconds !== null) result.observe(s.lagSeconds, attrs(s));
    });
  meter
    .createObservableCounter('chaperone.export.delivered', { unit: '{record}', description: 'records delivered by the sink since the exporter started' })
    .addCallback((result) => {
      for (const s of sinks()) result.observe(s.delivered, attrs(s));
    });
  meter
    .createObservableCounter('chaperone.export.delivery.failures', { unit: '{attempt}', description: 'failed delivery or checkpoint attempts since the exporter started' })
    .addCallback((result) => {
      for (const s of sinks()) result.observe(s.failures, attrs(s));
    });
  meter
    .createObservableGauge('chaperone.export.delivery.consecutive_failures', { unit: '{attempt}', description: 'failed attempts in a row; 0 once a delivery succeeds' })
    .addCallback((result) => {
      for (const s of sinks()) result.observe(s.consecutiveFailures, attrs(s));
    });
  meter
    .createObservableGauge('chaperone.export.backoff.seconds', { unit: 's', description: 'the wait before the next attempt while the sink backs off; 0 when it does not' })
    .addCallback((result) => {
      for (const s of sinks()) result.observe(s.backoffMs / 1000, attrs(s));
    });
}
