import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Meter } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { ServiceIdentity } from '../tokens';
import { registerProcessMetrics } from './process-metrics';

/**
 * Histogram bucket bounds, in seconds, for request and processing durations: the ones the
 * OpenTelemetry HTTP semantic conventions advise for `http.server.request.duration`. Pass them as
 * `advice.explicitBucketBoundaries` so every duration histogram of Chaperone lines up.
 */
export const DURATION_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
]);

/**
 * A service's metrics: one OpenTelemetry MeterProvider per service runtime, read by a Prometheus
 * exporter that serves `/metrics` on the health port (no server of its own). The runtime
 * registers the metrics every service has (process, NATS connection); a service adds its own
 * instruments on `meter`, named after the OpenTelemetry semantic conventions where one exists
 * (`http.server.request.duration`, unit "s") and under `chaperone.` otherwise.
 *
 * Not installed as the global provider: several runtimes can share a process (tests), and each
 * must scrape its own instruments only.
 */
export class Metrics {
  readonly meter: Meter;
  private readonly exporter: PrometheusExporter;
  private readonly provider: MeterProvider;
  private readonly stopProcessMetrics: () => void;

  constructor(id: ServiceIdentity) {
    this.exporter = new PrometheusExporter({ preventServerStart: true });
    this.provider = new MeterProvider({
      resource: resourceFromAttributes({
        'service.name': id.service,
        'service.namespace': 'chaperone',
        'service.instance.id': id.instance,
      }),
      readers: [this.exporter],
    });
    this.meter = this.provider.getMeter(`chaperone-${id.service}`);
    this.stopProcessMetrics = registerProcessMetrics(this.meter);
  }

  /** Answer a Prometheus scrape (text exposition format) from the current values. */
  serve(request: IncomingMessage, response: ServerResponse): void {
    this.exporter.getMetricsRequestHandler(request, response);
  }

  async shutdown(): Promise<void> {
    this.stopProcessMetrics();
    await this.provider.shutdown();
  }
}
