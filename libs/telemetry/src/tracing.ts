import { trace, type Tracer } from '@opentelemetry/api';
import { BatchSpanProcessor, SamplingDecision, type Sampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';

let provider: NodeTracerProvider | undefined;

/**
 * Without an exporter, spans are not recorded: they still get real trace ids (joined into every
 * evidence event), but record nothing and are not sampled, so their context does not travel in
 * NATS headers and no other service starts a span for them. Tracing then costs an id per request.
 */
const IDS_ONLY: Sampler = {
  shouldSample: () => ({ decision: SamplingDecision.NOT_RECORD }),
  toString: () => 'IdsOnly',
};

export interface TracingOptions {
  /** Span processors of the caller's own (tests: an in-memory exporter); they make spans sampled like an exporter does. */
  spanProcessors?: SpanProcessor[];
}

/**
 * Install a tracer provider for this process. Spans always get real trace ids; they are recorded,
 * sampled and exported only when OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT) is set, so local
 * runs pay for no exporter. A sampled span's context travels to the other services in the W3C
 * `traceparent` header of NATS messages (libs/bus), so one request is one trace.
 */
export function initTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env, opts: TracingOptions = {}): Tracer {
  if (!provider) {
    const spanProcessors: SpanProcessor[] = [...(opts.spanProcessors ?? [])];
    if (env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) {
      spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
    }
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': serviceName, 'service.namespace': 'chaperone' }),
      spanProcessors,
      ...(spanProcessors.length === 0 ? { sampler: IDS_ONLY } : {}),
    });
    provider.register();
  }
  return trace.getTracer(`chaperone-${serviceName}`);
}

export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown();
  provider = undefined;
}
