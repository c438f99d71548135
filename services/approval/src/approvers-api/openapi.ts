/**
 * The approvers API as OpenAPI 3.1, written by hand next to the controllers it describes (a test
 * checks that every route the service serves is in here, and nothing else).
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const status = (description: string) => ({ description, ...json(ref('Status')) });
const idParam = { name: 'id', in: 'path', required: true, description: 'the approval id (a UUID)', schema: { type: 'string' } };

const approver = {
  type: 'object',
  required: ['subject', 'username', 'groups'],
  properties: { subject: { type: 'string' }, username: { type: 'string' }, groups: { type: 'array', items: { type: 'string' } } },
};

/** A reviewer's verdict on one approval: approve or deny, with a reason. */
const verdictOperation = (verb: 'approve' | 'deny') => ({
  summary: verb === 'approve' ? 'Approve (one vote; N-of-M rules need N distinct approvers)' : 'Deny (one deny settles the approval)',
  operationId: `${verb}Approval`,
  parameters: [idParam],
  requestBody: { required: true, ...json(ref('DecisionBody')) },
  responses: {
    '200': { description: 'stored; the approval as it now stands', ...json(ref('Approval')) },
    '400': status('no reason, or a malformed body'),
    '401': status('no valid bearer token'),
    '403': status('the caller is the requester, or not in the rule’s approver groups'),
    '404': status('no such approval'),
    '409': status('already decided (the first final decision wins), expired, or the caller already voted'),
    '503': status('the event store is unavailable; nothing was recorded'),
  },
});

export const openApiDocument = Object.freeze({
  openapi: '3.1.0',
  info: {
    title: 'Chaperone approvers API',
    version: '1',
    description:
      'Just-in-time approval of single Kubernetes requests held by the Chaperone gateway. Authenticate with an OIDC bearer token from the agents’ issuer. Errors are Kubernetes Status objects.',
  },
  security: [{ bearer: [] }],
  paths: {
    '/approvals': {
      get: {
        summary: 'List approvals the caller may see (as approver or requester), oldest first; a page at a time with `limit`',
        operationId: 'listApprovals',
        parameters: [
          {
            name: 'status',
            in: 'query',
            description: '`decided`: every status but pending',
            schema: { type: 'string', enum: ['pending', 'granted', 'denied', 'expired', 'cancelled', 'executed', 'all', 'decided'], default: 'pending' },
          },
          { name: 'namespace', in: 'query', schema: { type: 'string' } },
          { name: 'agent', in: 'query', schema: { type: 'string' } },
          { name: 'rule', in: 'query', schema: { type: 'string' } },
          { name: 'olderThanSeconds', in: 'query', description: 'only approvals requested at least this long ago', schema: { type: 'integer', minimum: 0 } },
          { name: 'order', in: 'query', schema: { type: 'string', enum: ['oldest', 'newest'], default: 'oldest' } },
          { name: 'limit', in: 'query', description: 'page size; without it, every match', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
          { name: 'cursor', in: 'query', description: 'the `next` of the previous page', schema: { type: 'string' } },
        ],
        responses: {
          '200': {
            description: 'the approvals (one page with `limit`), how many match in all, and the next page’s cursor when there is one',
            ...json({
              type: 'object',
              required: ['items', 'total'],
              properties: { items: { type: 'array', items: ref('Approval') }, total: { type: 'integer' }, next: { type: 'string' } },
            }),
          },
          '400': status('a malformed filter or cursor'),
          '401': status('no valid bearer token'),
        },
      },
    },
    '/approvals/{id}': {
      get: {
        summary: 'Show one approval: attributes, the masked body, the masked live object and the diff',
        operationId: 'getApproval',
        parameters: [idParam],
        responses: {
          '200': { description: 'the approval in detail', ...json(ref('ApprovalDetail')) },
          '401': status('no valid bearer token'),
          '403': status('neither requester nor approver of this approval'),
          '404': status('no such approval'),
        },
      },
    },
    '/approvals/{id}/approve': { post: verdictOperation('approve') },
    '/approvals/{id}/deny': { post: verdictOperation('deny') },
    '/openapi.json': {
      get: { summary: 'This document', operationId: 'openApi', security: [], responses: { '200': { description: 'OpenAPI 3.1', ...json({ type: 'object' }) } } },
    },
    '/healthz': { get: { summary: 'Liveness', operationId: 'healthz', security: [], responses: { '200': { description: 'alive', ...json({ type: 'object' }) } } } },
    '/readyz': {
      get: {
        summary: 'Readiness (NATS connected, read model caught up)',
        operationId: 'readyz',
        security: [],
        responses: { '200': { description: 'ready', ...json({ type: 'object' }) }, '503': { description: 'not ready', ...json({ type: 'object' }) } },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics (text exposition format)',
        operationId: 'metrics',
        security: [],
        responses: { '200': { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: {
      DecisionBody: {
        type: 'object',
        required: ['reason'],
        properties: { reason: { type: 'string', minLength: 1, description: 'why; recorded with the decision' } },
      },
      Approver: approver,
      Approval: {
        type: 'object',
        required: ['approvalId', 'status', 'rule', 'requester', 'request', 'reason', 'createdAt', 'expiresAt', 'votes'],
        properties: {
          approvalId: { type: 'string' },
          status: { type: 'string', enum: ['pending', 'granted', 'denied', 'expired', 'cancelled', 'executed'] },
          rule: { type: 'string' },
          requester: {
            type: 'object',
            properties: { subject: { type: 'string' }, username: { type: 'string' }, agent: { type: 'string' }, groups: { type: 'array', items: { type: 'string' } } },
          },
          request: {
            type: 'object',
            properties: Object.fromEntries(['verb', 'apiGroup', 'resource', 'subresource', 'namespace', 'name', 'path'].map((k) => [k, { type: 'string' }])),
          },
          reason: { type: 'string', description: 'the agent’s justification (X-Chaperone-Reason)' },
          createdAt: { type: 'string', format: 'date-time' },
          expiresAt: { type: 'string', format: 'date-time' },
          votes: {
            type: 'array',
            items: { type: 'object', properties: { approver: ref('Approver'), reason: { type: 'string' }, at: { type: 'string', format: 'date-time' } } },
          },
          decidedBy: { type: 'array', items: ref('Approver') },
          decisionReason: { type: 'string' },
          grantExpiresAt: { type: 'string', format: 'date-time' },
          mode: { type: 'string', enum: ['hold', 'ticket'] },
          requiredApprovals: { type: 'integer' },
        },
      },
      ApprovalDetail: {
        type: 'object',
        required: ['approval', 'request', 'approverGroups', 'diff'],
        properties: {
          approval: ref('Approval'),
          request: { type: 'object', description: 'method, path, query and the ids joining it to the evidence stream' },
          approverGroups: { type: 'array', items: { type: 'string' } },
          body: {
            type: 'object',
            description: 'the body the agent sent, secrets masked by the gateway (capped at 256 KiB)',
            properties: { contentType: { type: 'string' }, digest: { type: 'string' }, size: { type: 'integer' }, truncated: { type: 'boolean' }, masked: { type: 'string' } },
          },
          liveObject: { type: 'object', properties: { truncated: { type: 'boolean' }, masked: { type: 'string' } } },
          diff: {
            description:
              'available: the changes from the live object to the result. basis update: the body replaces the object; merge-patch (RFC 7386) and json-patch (RFC 6902) are applied exactly; strategic-merge-patch and apply are approximated as a merge patch (approximated: true, with a note).',
            oneOf: [
              {
                type: 'object',
                required: ['available', 'basis', 'approximated', 'changes', 'result'],
                properties: {
                  available: { const: true },
                  basis: { type: 'string', enum: ['update', 'merge-patch', 'json-patch', 'strategic-merge-patch', 'apply'] },
                  approximated: { type: 'boolean' },
                  note: { type: 'string' },
                  changes: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['path', 'op'],
                      properties: { path: { type: 'string', description: 'JSON pointer' }, op: { type: 'string', enum: ['add', 'remove', 'replace'] }, from: {}, to: {} },
                    },
                  },
                  result: {},
                },
              },
              { type: 'object', required: ['available', 'reason'], properties: { available: { const: false }, reason: { type: 'string' } } },
            ],
          },
        },
      },
      Status: {
        type: 'object',
        description: 'a Kubernetes metav1.Status',
        required: ['kind', 'apiVersion', 'status', 'message', 'reason', 'code'],
        properties: {
          kind: { const: 'Status' },
          apiVersion: { const: 'v1' },
          status: { const: 'Failure' },
          message: { type: 'string' },
          reason: { type: 'string' },
          code: { type: 'integer' },
          details: { type: 'object' },
        },
      },
    },
  },
});
