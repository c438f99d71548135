import type { ExportRecord } from '../join/request-joiner';

/**
 * OCSF API Activity (class 6003, category Application Activity), schema version 1.6.0: one record
 * per Kubernetes request through Chaperone. The Kubernetes verb maps to the CRUD activity; the
 * agent is the actor; Chaperone's decision goes into `unmapped`, which OCSF keeps for attributes
 * the class does not define.
 */
export const OCSF_VERSION = '1.6.0';

export const OcsfApiActivity = Object.freeze({ classUid: 6003, categoryUid: 6 });

export const OcsfActivities = Object.freeze({ unknown: 0, create: 1, read: 2, update: 3, delete: 4, other: 99 } as const);
const ACTIVITY_NAMES: Record<number, string> = { 0: 'Unknown', 1: 'Create', 2: 'Read', 3: 'Update', 4: 'Delete', 99: 'Other' };

export const OcsfStatus = Object.freeze({ unknown: 0, success: 1, failure: 2 } as const);

export interface OcsfApiActivityRecord {
  activity_id: number;
  activity_name: string;
  category_uid: 6;
  category_name: 'Application Activity';
  class_uid: 6003;
  class_name: 'API Activity';
  type_uid: number;
  type_name: string;
  severity_id: number;
  time: number;
  status_id: number;
  status?: string;
  status_code?: string;
  status_detail?: string;
  message: string;
  metadata: {
    version: string;
    uid: string;
    original_time: string;
    log_name: string;
    product: { name: string; vendor_name: string; version?: string };
    correlation_uid?: string;
  };
  actor: { user: { name: string; uid?: string; groups?: Array<{ name: string }> }; session?: { uid: string } };
  api: { operation: string; request: { uid: string }; response: { code?: number; error?: string; message?: string }; service?: { name: string }; version?: string; group?: { name: string } };
  src_endpoint: { ip: string } | { name: string };
  http_request?: { http_method: string; user_agent?: string };
  http_response?: { code: number };
  resources?: Array<{ type: string; name?: string; namespace?: string; group?: { name: string } }>;
  unmapped: Record<string, unknown>;
}

/** Kubernetes verb → OCSF API activity. */
export function activityOf(verb: string): number {
  switch (verb) {
    case 'create':
    case 'post':
      return OcsfActivities.create;
    case 'get':
    case 'list':
    case 'watch':
    case 'head':
      return OcsfActivities.read;
    case 'update':
    case 'patch':
    case 'put':
      return OcsfActivities.update;
    case 'delete':
    case 'deletecollection':
      return OcsfActivities.delete;
    case '':
      return OcsfActivities.unknown;
    default:
      return OcsfActivities.other;
  }
}

export interface OcsfOptions {
  /** Chaperone's version, for metadata.product. */
  productVersion?: string;
}

const IPV4_OR_6 = /^[0-9a-fA-F:.]+$/;
const endpoint = (address: string) => (IPV4_OR_6.test(address) ? { ip: address } : { name: address || 'unknown' });

export function toOcsfApiActivity(record: ExportRecord, opts: OcsfOptions = {}): OcsfApiActivityRecord {
  const product = { name: 'Chaperone', vendor_name: 'Chaperone', ...(opts.productVersion ? { version: opts.productVersion } : {}) };
  const base = (activity: number, time: string, uid: string) => ({
    activity_id: activity,
    activity_name: ACTIVITY_NAMES[activity] as string,
    category_uid: 6 as const,
    category_name: 'Application Activity' as const,
    class_uid: 6003 as const,
    class_name: 'API Activity' as const,
    type_uid: OcsfApiActivity.classUid * 100 + activity,
    type_name: `API Activity: ${ACTIVITY_NAMES[activity] as string}`,
    severity_id: 1,
    time: Date.parse(time),
    metadata: { version: OCSF_VERSION, uid, original_time: time, log_name: 'chaperone-evidence', product },
  });
  if (record.kind === 'authentication-failed') {
    const f = record.failed;
    const verb = f.payload.method.toLowerCase();
    return {
      ...base(activityOf(verb), f.time, f.eventId),
      status_id: OcsfStatus.failure,
      status: 'Failure',
      status_code: '401',
      status_detail: f.payload.reason,
      message: `${f.payload.method} ${f.payload.path}: authentication failed (${f.payload.reason})`,
      actor: { user: { name: 'system:anonymous' } },
      api: { operation: verb, request: { uid: f.requestId }, response: { code: 401, error: 'Unauthorized', message: f.payload.reason } },
      src_endpoint: endpoint(f.payload.sourceAddress),
      http_request: { http_method: f.payload.method },
      http_response: { code: 401 },
      unmapped: { chaperone: { trace_id: f.traceId, authentication_failure: f.payload.reason } },
    };
  }
  const { intercepted, decided, masked } = record;
  const ended = record.kind === 'request' ? record.completed : record.unknown;
  const identity = ended.identity ?? intercepted?.identity ?? null;
  const info = intercepted?.payload.request;
  const verb = info?.verb ?? '';
  const completed = record.kind === 'request' ? record.completed : undefined;
  const code = completed?.payload.status;
  const outcome = completed?.payload.outcome ?? 'unknown';
  const failed = completed !== undefined && (completed.payload.status >= 400 || completed.payload.outcome !== 'forwarded');
  const status = completed === undefined ? { status_id: OcsfStatus.unknown, status: 'Unknown' } : failed ? { status_id: OcsfStatus.failure, status: 'Failure' } : { status_id: OcsfStatus.success, status: 'Success' };
  const decision = decided?.payload.decision;
  const what = info?.isResourceRequest ? `${info.resource}${info.subresource ? `/${info.subresource}` : ''}${info.name ? ` ${info.name}` : ''}` : (intercepted?.payload.path ?? '');
  return {
    ...base(activityOf(verb), ended.time, ended.eventId),
    metadata: { ...base(0, ended.time, ended.eventId).metadata, correlation_uid: record.requestId },
    ...status,
    ...(code !== undefined ? { status_code: String(code) } : {}),
    status_detail: completed ? outcome : record.kind === 'outcome-unknown' ? record.unknown.payload.reason : outcome,
    message: `${identity?.agent ?? 'an unauthenticated client'} ${verb || 'requested'} ${what}: ${outcome}${code !== undefined ? ` (${code})` : ''}`,
    actor: {
      user: { name: identity?.agent ?? 'system:anonymous', ...(identity ? { uid: identity.subject, groups: identity.groups.map((name) => ({ name })) } : {}) },
      session: { uid: record.sessionId },
    },
    api: {
      operation: verb || (intercepted?.payload.method.toLowerCase() ?? 'unknown'),
      request: { uid: record.requestId },
      response:
        code === undefined
          ? { error: 'outcome-unknown', message: record.kind === 'outcome-unknown' ? record.unknown.payload.reason : '' }
          : { code, ...(failed ? { error: outcome, ...(decision && outcome === 'refused' ? { message: decision.reason } : {}) } : {}) },
      service: { name: 'kubernetes' },
      ...(info?.isResourceRequest ? { version: info.apiVersion, ...(info.apiGroup ? { group: { name: info.apiGroup } } : {}) } : {}),
    },
    src_endpoint: endpoint(intercepted?.payload.sourceAddress ?? ''),
    ...(intercepted ? { http_request: { http_method: intercepted.payload.method, user_agent: intercepted.payload.userAgent } } : {}),
    ...(code !== undefined ? { http_response: { code } } : {}),
    ...(info?.isResourceRequest
      ? {
          resources: [
            {
              type: info.resource,
              // An entity needs a name or uid: a collection (list, watch, create) is named for its resource.
              name: info.name || info.resource,
              ...(info.namespace ? { namespace: info.namespace } : {}),
              ...(info.apiGroup ? { group: { name: info.apiGroup } } : {}),
            },
          ],
        }
      : {}),
    unmapped: {
      chaperone: {
        ...(identity ? { impersonated_user: identity.username } : {}),
        ...(decision ? { decision: decision.effect, rule: decision.rule, policy_version: decision.policyVersion } : {}),
        ...(ended.payload.approvalId ? { approval_id: ended.payload.approvalId } : {}),
        ...(masked ? { masked_values: masked.payload.count } : {}),
        outcome,
        ...(record.kind === 'outcome-unknown' ? { reached_cluster: record.unknown.payload.reachedCluster } : {}),
        trace_id: ended.traceId,
      },
    },
  };
}
