import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import type { Meter } from '@opentelemetry/api';

/**
 * Bounds, in seconds, of the garbage-collection pause histogram: pauses run from well under a
 * millisecond to tens of milliseconds, finer than request durations.
 */
const GC_PAUSE_BUCKETS_SECONDS: readonly number[] = Object.freeze([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]);

const GC_TYPES: Readonly<Record<number, string>> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * CPU, memory, garbage-collection and event-loop figures of this process, under the names of the
 * OpenTelemetry semantic conventions (process.*, v8js.*, nodejs.*). Observed at scrape time only:
 * nothing runs between scrapes except the event-loop delay sampler and one callback per garbage
 * collection. Returns what stops those two.
 */
export function registerProcessMetrics(meter: Meter): () => void {
  meter
    .createObservableCounter('process.cpu.time', { unit: 's', description: 'CPU seconds used by this process, by mode' })
    .addCallback((result) => {
      const usage = process.cpuUsage();
      result.observe(usage.user / 1e6, { 'cpu.mode': 'user' });
      result.observe(usage.system / 1e6, { 'cpu.mode': 'system' });
    });
  meter
    .createObservableUpDownCounter('process.memory.usage', { unit: 'By', description: 'resident set size of this process' })
    .addCallback((result) => result.observe(process.memoryUsage.rss()));
  meter
    .createObservableGauge('process.uptime', { unit: 's', description: 'seconds since this process started' })
    .addCallback((result) => result.observe(process.uptime()));

  // What the heap may grow to before the process dies of a heap out-of-memory error: half of a
  // container's memory limit unless --max-old-space-size says otherwise (no semantic convention).
  meter
    .createObservableGauge('chaperone.process.heap.size_limit', { unit: 'By', description: 'the most heap V8 lets this process use (heap_size_limit)' })
    .addCallback((result) => result.observe(getHeapStatistics().heap_size_limit));
  const heapUsed = meter.createObservableUpDownCounter('v8js.memory.heap.used', { unit: 'By', description: 'V8 heap in use, by heap space' });
  const heapLimit = meter.createObservableUpDownCounter('v8js.memory.heap.limit', { unit: 'By', description: 'V8 heap allocated, by heap space' });
  meter.addBatchObservableCallback(
    (result) => {
      for (const space of getHeapSpaceStatistics()) {
        const attrs = { 'v8js.heap.space.name': space.space_name };
        result.observe(heapUsed, space.space_used_size, attrs);
        result.observe(heapLimit, space.space_size, attrs);
      }
    },
    [heapUsed, heapLimit],
  );

  // Every pause of this process's JavaScript: a request arriving during one waits it out, so these
  // are where latency tails come from when the event loop itself is not busy.
  const gcPauses = meter.createHistogram('v8js.gc.duration', {
    unit: 's',
    description: 'garbage-collection pauses, by kind (minor: young generation; major: the whole heap)',
    advice: { explicitBucketBoundaries: [...GC_PAUSE_BUCKETS_SECONDS] },
  });
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcPauses.record(entry.duration / 1000, { 'v8js.gc.type': gcType(entry) });
  });
  gc.observe({ entryTypes: ['gc'] });

  // A histogram in nanoseconds, reset after each scrape so that each scrape reports its own interval.
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  const p50 = meter.createObservableGauge('nodejs.eventloop.delay.p50', { unit: 's', description: 'median event-loop delay since the last scrape' });
  const p99 = meter.createObservableGauge('nodejs.eventloop.delay.p99', { unit: 's', description: '99th percentile event-loop delay since the last scrape' });
  const max = meter.createObservableGauge('nodejs.eventloop.delay.max', { unit: 's', description: 'largest event-loop delay since the last scrape' });
  meter.addBatchObservableCallback(
    (result) => {
      if (delay.count > 0) {
        result.observe(p50, delay.percentile(50) / 1e9);
        result.observe(p99, delay.percentile(99) / 1e9);
        result.observe(max, delay.max / 1e9);
      }
      delay.reset();
    },
    [p50, p99, max],
  );
  return () => {
    gc.disconnect();
    delay.disable();
  };
}

function gcType(entry: PerformanceEntry): string {
  // A gc entry's detail names its kind (older type definitions do not declare `detail`).
  const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
  return (kind !== undefined && GC_TYPES[kind]) || 'other';
}
