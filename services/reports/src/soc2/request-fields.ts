import type { RequestTarget } from '@chaperone/contracts';
import { ownerOf, type ReadModel, type RequestView } from '../read-model';

/** The columns every per-request row of the report starts with. */
export interface RequestRowStart {
  time: string;
  requestId: string;
  sessionId: string;
  agent: string;
  owner: string;
}

export function requestRowStart(model: ReadModel, r: RequestView): RequestRowStart {
  return { time: r.time, requestId: r.requestId, sessionId: r.sessionId, agent: r.agent, owner: ownerOf(model, r.agent) ?? '' };
}

/** What a request acted on ('' for what a non-resource request has not). */
export function resourceOf(r: RequestView): RequestTarget {
  const i = r.info?.isResourceRequest ? r.info : undefined;
  return { verb: r.info?.verb ?? '', apiGroup: i?.apiGroup ?? '', resource: i?.resource ?? '', subresource: i?.subresource ?? '', namespace: i?.namespace ?? '', name: i?.name ?? '' };
}

/** The same, as a row shows it: the subresource joined to its resource. */
export function resourceColumns(res: RequestTarget) {
  return { verb: res.verb, resource: res.subresource ? `${res.resource}/${res.subresource}` : res.resource, namespace: res.namespace, name: res.name };
}
