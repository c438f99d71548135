import { SpanKind } from '@opentelemetry/api';
import type { JsMsg } from 'nats';
import { startMessageSpan } from '@chaperone/bus';

/**
 * Each stored message whose publisher was in a sampled trace gets an `audit.store` span in that
 * trace, from the batch's start to its storing: one request's evidence shows in the request's trace.
 * Messages without trace context (tracing off) cost a header check.
 */
export function traceStored(msgs: readonly JsMsg[], startedAt: number): void {
  for (const m of msgs) {
    if (!m.headers) continue;
    startMessageSpan('audit.store', m, SpanKind.CONSUMER, startedAt)?.span.end();
  }
}
