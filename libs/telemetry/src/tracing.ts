import { trace, type Tracer } from '@opentelemetry/api';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';

let provider: NodeTracerProvider | undefined;

/**
 * Install a tracer provider for this process. Spans always get real trace ids (they are joined
 * into every evidence event); they are exported only when OTEL_EXPORTER_OTLP_ENDPOINT is set, so
 * local runs pay for no exporter.
 */
export function initTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): Tracer {
  if (!provider) {
    const spanProcessors: SpanProcessor[] = [];
    if (env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) {
      spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
    }
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': serviceName, 'service.namespace': 'chaperone' }),
      spanProcessors,
    });
    provider.register();
  }
  return trace.getTracer(`chaperone-${serviceName}`);
}

export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown();
  provider = undefined;
}
