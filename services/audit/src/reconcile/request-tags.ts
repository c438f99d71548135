import { MAX_TAG_VALUE_LENGTH, type EventTags } from '@chaperone/event-store';
import { fieldsOf, textOf, type Fields } from './stored-fields';

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

export function requestTagsOf(e: { type: string; data: unknown }): EventTags {
  const d = fieldsOf(e.data);
  const requestId = textOf(d['requestId']);
  if (!requestId || requestId.length > MAX_TAG_VALUE_LENGTH) return NONE;
  switch (e.type) {
    case 'RequestIntercepted': {
      const payload = fieldsOf(d['payload']);
      const gateway = textOf(payload['gateway']);
      return {
        [RequestTag.request]: requestId,
        [RequestTag.at]: textOf(d['time']).slice(0, 64),
        ...(gateway && gateway.length <= MAX_TAG_VALUE_LENGTH ? { [RequestTag.gateway]: gateway } : {}),
        ...(isStreaming(payload) ? { [RequestTag.streaming]: '1' } : {}),
      };
    }
    case 'PolicyDecided':
      return { [RequestTag.request]: requestId, [RequestTag.at]: textOf(d['time']).slice(0, 64), [RequestTag.effect]: textOf(fieldsOf(fieldsOf(d['payload'])['decision'])['effect']).slice(0, 64) };
    case 'RequestCompleted':
    case 'RequestOutcomeUnknown':
      return { [RequestTag.request]: requestId };
    default:
      return NONE;
  }
}

/** Streams: a watch, `logs -f` (follow), or an upgraded session (exec, attach, port-forward). */
function isStreaming(payload: Fields): boolean {
  if (payload['upgrade'] === true) return true;
  if (textOf(fieldsOf(payload['request'])['verb']) === 'watch') return true;
  const query = new URLSearchParams(textOf(payload['query']));
  return ['watch', 'follow'].some((k) => ['true', '1'].includes(query.get(k) ?? ''));
}
