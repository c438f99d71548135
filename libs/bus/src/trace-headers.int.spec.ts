import { randomUUID } from 'node:crypto';
import { context, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { NatsConnection } from 'nats';
import { connectBus } from './connect';
import { requestJson, serveJson, type JsonResponder } from './json-rpc';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];

/** Trace context across a request/reply on the real NATS, caught by an in-memory span exporter. */
describe('W3C trace context in NATS headers (real NATS, in-memory exporter)', () => {
  const subject = `trace-int-${randomUUID().slice(0, 8)}.echo`;
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const seen: (SpanContext | undefined)[] = [];
  let server: NatsConnection;
  let client: NatsConnection;
  let responder: JsonResponder;

  beforeAll(async () => {
    provider.register();
    server = await connectBus(servers, 'trace-int-server');
    client = await connectBus(servers, 'trace-int-client');
    responder = serveJson(server, {
      subject,
      queue: 'trace-int',
      spanName: 'test.handle',
      handle: async (request) => {
        await new Promise((r) => setTimeout(r, 1)); // the context survives an await
        seen.push(trace.getActiveSpan()?.spanContext());
        return request;
      },
      onUnexpected: () => undefined,
    });
    await server.flush();
  });

  afterAll(async () => {
    await responder.drain();
    await client.close();
    await server.close();
    await provider.shutdown();
  });

  it('a sampled caller: the handler runs in a child span of the caller, in the same trace', async () => {
    const caller = trace.getTracer('test').startSpan('test.caller');
    await context.with(trace.setSpan(context.active(), caller), () => requestJson(client, subject, { n: 1 }, 2000));
    caller.end();

    expect(seen.at(-1)?.traceId).toBe(caller.spanContext().traceId);
    const handled = exporter.getFinishedSpans().find((s) => s.name === 'test.handle');
    expect(handled?.spanContext().traceId).toBe(caller.spanContext().traceId);
    expect(handled?.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    expect(handled?.attributes['messaging.destination.name']).toBe(subject);
  });

  it('an unsampled caller (tracing off): no context travels, no span is started', async () => {
    exporter.reset();
    const unsampled = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE });
    await context.with(trace.setSpan(context.active(), unsampled), () => requestJson(client, subject, { n: 2 }, 2000));
    expect(seen.at(-1)).toBeUndefined();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
