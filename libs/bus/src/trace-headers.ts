import { context, ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Context, type Span } from '@opentelemetry/api';
import { headers as natsHeaders, type Msg, type MsgHdrs } from 'nats';

/** The W3C Trace Context header, carried by NATS messages like HTTP requests carry it. */
export const TRACEPARENT = 'traceparent';

const TRACEPARENT_FORM = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * Headers for an outgoing message: `h` (or none) plus `traceparent` when the active span is sampled
 * (an exporter is configured). Unsampled, nothing is added or allocated: tracing off costs a lookup.
 */
export function traceHeaders(h?: MsgHdrs): MsgHdrs | undefined {
  const sc = trace.getSpanContext(context.active());
  if (!sc || (sc.traceFlags & TraceFlags.SAMPLED) === 0) return h;
  const out = h ?? natsHeaders();
  out.set(TRACEPARENT, `00-${sc.traceId}-${sc.spanId}-01`);
  return out;
}

/** The remote parent a message names in its `traceparent`, or undefined (none, or malformed). */
export function tracedContext(h: MsgHdrs | undefined): Context | undefined {
  const value = h?.get(TRACEPARENT);
  if (!value) return undefined;
  const m = TRACEPARENT_FORM.exec(value);
  if (!m || /^0+$/.test(m[1] as string) || /^0+$/.test(m[2] as string)) return undefined;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: m[1] as string, spanId: m[2] as string, traceFlags: parseInt(m[3] as string, 16), isRemote: true });
}

/**
 * A span for handling one message, child of the trace its sender is in; undefined when the message
 * carries no trace context (tracing off at the sender): then nothing is started.
 */
export function startMessageSpan(
  name: string,
  msg: Pick<Msg, 'headers' | 'subject'>,
  kind: SpanKind = SpanKind.SERVER,
  startTime?: number,
): { span: Span; ctx: Context } | undefined {
  const parent = tracedContext(msg.headers);
  if (!parent) return undefined;
  const span = trace.getTracer('chaperone-bus').startSpan(name, { kind, ...(startTime === undefined ? {} : { startTime }), attributes: { 'messaging.system': 'nats', 'messaging.destination.name': msg.subject } }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}
