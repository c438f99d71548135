import type { IncomingHttpHeaders } from 'node:http';
import type { Decision, MaskMode, RequestInfo, ResourceRequestInfo } from '@chaperone/contracts';
import type { Cleared, MaskingPlan } from '../context/request-context';

/**
 * Whether and how a response is masked. Every response to a resource request is masked unless an
 * allow rule explicitly lets it through raw: reads, watch events and logs carry secrets, and so do
 * the objects echoed back by create, update and patch. Non-resource responses (discovery, version,
 * OpenAPI) carry none and are passed as they are.
 */
export function maskingPlan(info: RequestInfo, decision: Decision): MaskingPlan | undefined {
  if (!info.isResourceRequest || decision.unmasked) return undefined;
  return { mode: maskModeOf(info), profile: decision.maskProfile };
}

/** How a resource request's response is masked: logs line by line, watches event by event, else as one document. */
export function maskModeOf(info: ResourceRequestInfo): MaskMode {
  return info.subresource === 'log' ? 'lines' : info.verb === 'watch' ? 'watch' : 'document';
}

/**
 * Whether the response is masked once it has arrived, without a stream opened before the request
 * is sent: a whole document answering a get or list (a read: if masking then fails, its answer is
 * withheld and nothing changed). Watches, logs and what writes echo back are not.
 */
export function maskedOnArrival(ctx: Pick<Cleared, 'exchange' | 'info'>, plan: MaskingPlan): boolean {
  return ctx.exchange.kind === 'http' && plan.mode === 'document' && ctx.info.isResourceRequest && (ctx.info.verb === 'get' || ctx.info.verb === 'list');
}

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/**
 * Ask the cluster for something the masking service can read: JSON (never protobuf) and no
 * compression. A client that accepts only protobuf still gets JSON, which every client handles.
 */
export function maskableRequestHeaders(headers: IncomingHttpHeaders): void {
  const accept = String(headers.accept ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0 && !t.toLowerCase().startsWith(PROTOBUF));
  headers.accept = accept.length > 0 ? accept.join(', ') : 'application/json';
  delete headers['accept-encoding'];
}
