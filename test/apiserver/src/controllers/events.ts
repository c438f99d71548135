import { randomUUID } from 'node:crypto';
import { apiVersionOf, resourceOf } from '../resources';
import { Store } from '../store';
import { KubeObject, nowTimestamp } from '../types';
import { rec } from './owners';

/**
 * Events as the cluster's components record them (client-go's EventRecorder): a core v1 Event per
 * occurrence, named `<object>.<hex time>`, naming the object it is about. events.k8s.io/v1 shows
 * the same events in its newer shape; toEventsV1/fromEventsV1 convert as the API server does.
 */
export const CORE_EVENTS = resourceOf('', 'events');
export const EVENTS_V1 = resourceOf('events.k8s.io', 'events');
export const NODE = 'demo-node-1';

export interface EventSource {
  component: string;
  host?: string;
}

export interface Occurrence {
  reason: string;
  message: string;
  source: EventSource;
  at: Date;
  type?: 'Normal' | 'Warning';
  /** e.g. spec.containers{web}, for kubelet events about one container. */
  fieldPath?: string;
}

let sequence = 0;

export function recordEvent(store: Store, about: KubeObject, o: Occurrence): KubeObject {
  const ts = nowTimestamp(o.at);
  // client-go names an event after its object and the time in nanoseconds, in hex.
  const nanos = BigInt(o.at.getTime()) * 1_000_000n + BigInt(sequence++ % 1_000_000);
  const involvedObject: Record<string, unknown> = {
    kind: about.kind,
    namespace: about.metadata.namespace,
    name: about.metadata.name,
    uid: about.metadata.uid,
    apiVersion: about.apiVersion,
    resourceVersion: about.metadata.resourceVersion,
  };
  if (o.fieldPath) involvedObject['fieldPath'] = o.fieldPath;
  return store.put(CORE_EVENTS, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${about.metadata.name ?? ''}.${nanos.toString(16)}`, namespace: about.metadata.namespace ?? 'default', uid: randomUUID(), creationTimestamp: ts },
    involvedObject,
    reason: o.reason,
    message: o.message,
    source: o.source,
    firstTimestamp: ts,
    lastTimestamp: ts,
    count: 1,
    type: o.type ?? 'Normal',
    eventTime: null,
    reportingComponent: o.source.component,
    reportingInstance: o.source.host ?? '',
  });
}

/** core/v1 Event -> events.k8s.io/v1 Event. */
export function toEventsV1(e: KubeObject): KubeObject {
  const source = rec(e['source']);
  const out: KubeObject = {
    apiVersion: apiVersionOf(EVENTS_V1),
    kind: 'Event',
    metadata: { ...e.metadata },
    eventTime: e['eventTime'] ?? null,
    reportingController: e['reportingComponent'] || source['component'] || '',
    reportingInstance: e['reportingInstance'] || source['host'] || '',
    reason: e['reason'],
    regarding: e['involvedObject'],
    note: e['message'],
    type: e['type'],
  };
  for (const [from, to] of [['action', 'action'], ['related', 'related'], ['series', 'series'], ['source', 'deprecatedSource'], ['firstTimestamp', 'deprecatedFirstTimestamp'], ['lastTimestamp', 'deprecatedLastTimestamp'], ['count', 'deprecatedCount']] as const) {
    if (e[from] !== undefined && e[from] !== null) out[to] = e[from];
  }
  delete out.metadata.resourceVersion;
  return out;
}

/** events.k8s.io/v1 Event -> core/v1 Event. */
export function fromEventsV1(e: KubeObject): KubeObject {
  const out: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { ...e.metadata },
    involvedObject: e['regarding'] ?? {},
    reason: e['reason'],
    message: e['note'],
    source: e['deprecatedSource'] ?? { component: e['reportingController'] ?? '' },
    type: e['type'],
    eventTime: e['eventTime'] ?? null,
    reportingComponent: e['reportingController'] ?? '',
    reportingInstance: e['reportingInstance'] ?? '',
  };
  for (const [from, to] of [['action', 'action'], ['related', 'related'], ['series', 'series'], ['deprecatedFirstTimestamp', 'firstTimestamp'], ['deprecatedLastTimestamp', 'lastTimestamp'], ['deprecatedCount', 'count']] as const) {
    if (e[from] !== undefined && e[from] !== null) out[to] = e[from];
  }
  delete out.metadata.resourceVersion;
  return out;
}
