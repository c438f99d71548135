/**
 * A port of kube-apiserver's RequestInfoFactory.NewRequestInfo
 * (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go) with
 * APIPrefixes {"api","apis"} and GrouplessAPIPrefixes {"api"}.
 *
 * Chaperone authorizes on these attributes and then forwards the request, so they must be the
 * ones the API server itself will derive. Where the Go code would produce something our
 * contract cannot express (the legacy "proxy" verb, the empty verb of an unknown method) or
 * where input is malformed/ambiguous, we refuse instead of guessing.
 */
import type { KubeVerb, RequestInfo, ResourceRequestInfo } from '@chaperone/contracts';
import { decodeListOptions } from './list-options';
import { decodePath, parseQuery, refuse, splitRequestTarget } from './path-safety';

export type ParseResult = { ok: true; info: RequestInfo } | { ok: false; reason: string };

/** Path segments that act as verbs (Go's specialVerbs). "proxy" is the only one without subresources. */
const SPECIAL_VERBS = new Set(['proxy', 'watch']);
/** Lets the parser tell /namespaces/{ns}/status (namespace subresource) from /namespaces/{ns}/pods. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
/** Streaming subresources whose WebSocket handshake is a GET. */
const STREAMING_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

/** RFC 9110 token, as Go's net/http requires of a method. */
const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Go switches on req.Method case-sensitively: "get" is not GET. */
const VERB_BY_METHOD: Readonly<Record<string, KubeVerb>> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/**
 * @param method HTTP method.
 * @param rawUrl the request-target as received (path + optional ?query), not decoded.
 * @param opts.upgrade true when the request carries Connection: Upgrade + Upgrade (see isUpgradeRequest).
 */
export function parseRequestInfo(method: string, rawUrl: string, opts: { upgrade?: boolean } = {}): ParseResult {
  if (typeof method !== 'string' || !HTTP_TOKEN.test(method)) return refuse('invalid HTTP method');
  const target = splitRequestTarget(rawUrl);
  if (!target.ok) return target;
  const safe = decodePath(target.rawPath);
  if (!safe.ok) return safe;
  const parsedQuery = parseQuery(target.rawQuery);
  if (!parsedQuery.ok) return parsedQuery;

  const { path, segments } = safe;
  const nonResource: ParseResult = { ok: true, info: { isResourceRequest: false, path, verb: method.toLowerCase() } };

  // /api/{version}/... needs 3 parts, /apis/{group}/{version}/... needs 4; fewer is a discovery
  // or other non-resource URL (/api, /api/v1, /apis/apps/v1, /healthz, /openapi/v2 ...).
  const [prefix, ...afterPrefix] = segments;
  if (segments.length < 3 || (prefix !== 'api' && prefix !== 'apis')) return nonResource;
  let rest = afterPrefix;
  let apiGroup = '';
  if (prefix === 'apis') {
    if (rest.length < 3) return nonResource;
    apiGroup = rest[0] ?? '';
    rest = rest.slice(1);
  }
  const apiVersion = rest[0] ?? '';
  let parts = rest.slice(1);

  let verb: KubeVerb | 'proxy' | undefined;
  const first = parts[0] ?? '';
  if (SPECIAL_VERBS.has(first)) {
    // Deprecated /watch/... and /proxy/... forms: the segment is the verb, whatever the method.
    if (parts.length < 2) return refuse('unable to determine kind and namespace from url');
    verb = first === 'watch' ? 'watch' : 'proxy';
    parts = parts.slice(1);
  } else {
    verb = VERB_BY_METHOD[method];
  }
  // Go would carry on with Verb "proxy" or ""; neither is a verb our contract (or RBAC on a
  // resource) can express, so there is nothing safe to authorize.
  if (verb === 'proxy') return refuse('the deprecated /proxy/ path form is not supported');
  if (verb === undefined) return refuse('HTTP method is not supported for resource requests');

  let namespace = '';
  if (parts[0] === 'namespaces') {
    if (parts.length === 2 && verb === 'patch') {
      // Server-side apply creates a namespace with PATCH /namespaces/{name}; Go deliberately
      // leaves Namespace empty so the request is not scoped to a namespace that does not exist yet.
      namespace = '';
    } else if (parts.length > 1) {
      namespace = parts[1] ?? '';
      // /namespaces/{ns}/{resource}/... re-roots at the resource, but /namespaces/{ns}/status
      // and /finalize are subresources of the namespace object itself.
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2] ?? '')) parts = parts.slice(2);
    }
  }

  // parts: resource/name/subresource/anything/else/uninterpreted
  const resource = parts[0] ?? '';
  let name = parts[1] ?? '';
  const subresource = parts[2] ?? '';

  if (name === '' && verb === 'get') {
    const list = decodeListOptions(parsedQuery.query);
    verb = list.watch ? 'watch' : 'list';
    // A list/watch pinned to one object by fieldSelector=metadata.name=x is authorized as that
    // object, which is what lets RBAC resourceNames grant single-object watches.
    if (list.fieldSelectorName !== undefined) name = list.fieldSelectorName;
  }
  if (name === '' && verb === 'delete') verb = 'deletecollection';

  // Chaperone rule (not in NewRequestInfo): a WebSocket handshake for exec/attach/portforward is
  // a GET, which NewRequestInfo calls "get", while the SPDY form is a POST ("create"). Left as
  // "get", an RBAC grant of get on pods/exec would allow running commands. kube-apiserver's
  // authorizer closes the same gap (AuthorizePodWebsocketUpgradeCreatePermission) by requiring
  // `create` for these upgrades, so we derive `create` directly.
  if (opts.upgrade === true && verb === 'get' && (method === 'GET' || method === 'POST') && STREAMING_SUBRESOURCES.has(subresource)) {
    verb = 'create';
  }

  const info: ResourceRequestInfo = {
    isResourceRequest: true,
    path,
    verb,
    apiPrefix: prefix,
    apiGroup,
    apiVersion,
    namespace,
    resource,
    subresource,
    name,
    parts,
  };
  return { ok: true, info };
}
