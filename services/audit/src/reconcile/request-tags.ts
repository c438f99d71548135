import type { EventTags } from '@chaperone/event-store';

/**
 * The facts the reconciler follows, kept as tags beside every event the audit service stores:
 * the reconciler follows the store headers-only (no event data crosses the bus for it), and
 * where a stored event has no tags (an older event, another writer) the store derives them from
 * the event with this same function.
 *
 * - every event of a request: `request` (its id);
 * - RequestIntercepted: `at` (its time), `gateway` (the ingress replica holding the request, when
 *   named) and `streaming: '1'` for a watch, a followed log or an upgrade;
 * - PolicyDecided: `at` and `effect`.
 */
export const RequestTag = Object.freeze({ request: 'request', at: 'at', gateway: 'gateway', streaming: 'streaming', effect: 'effect' });

const NONE: EventTags = Object.freeze({});

type Data = Record<string, unknown>;
const obj = (v: unknown): Data => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Data) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function requestTagsOf(e: { type: string; data: unknown }): EventTags {
  const d = obj(e.data);
  const requestId = str(d['requestId']);
  if (!requestId || requestId.length > 256) return NONE;
  switch (e.type) {
    case 'RequestIntercepted': {
      const payload = obj(d['payload']);
      const gateway = str(payload['gateway']);
      return {
        [RequestTag.request]: requestId,
        [RequestTag.at]: str(d['time']).slice(0, 64),
        ...(gateway && gateway.length <= 256 ? { [RequestTag.gateway]: gateway } : {}),
        ...(isStreaming(payload) ? { [RequestTag.streaming]: '1' } : {}),
      };
    }
    case 'PolicyDecided':
      return { [RequestTag.request]: requestId, [RequestTag.at]: str(d['time']).slice(0, 64), [RequestTag.effect]: str(obj(obj(d['payload'])['decision'])['effect']).slice(0, 64) };
    case 'RequestCompleted':
    case 'RequestOutcomeUnknown':
      return { [RequestTag.request]: requestId };
    default:
      return NONE;
  }
}

/** Streams: a watch, `logs -f` (follow), or an upgraded session (exec, attach, port-forward). */
function isStreaming(payload: Data): boolean {
  if (payload['upgrade'] === true) return true;
  if (str(obj(payload['request'])['verb']) === 'watch') return true;
  const query = new URLSearchParams(str(payload['query']));
  return ['watch', 'follow'].some((k) => ['true', '1'].includes(query.get(k) ?? ''));
}
