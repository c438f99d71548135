import { toolCallEvent, maskArguments } from './tool-call-event';

const identity = { subject: 's', username: 'agent-bot', agent: 'bot', groups: ['agents'], issuer: 'https://issuer' };
const base = { tool: 'delete_resource', arguments: { resource: 'pods', name: 'p' }, requestIds: ['r1', 'r1', 'r2'], durationMs: 12.34567, identity, sessionId: 'tok-1', now: new Date('2026-01-01T00:00:00Z'), toolCallId: 'mcp-1' };

describe('the evidence of a tool call', () => {
  it('names the requests once each, in the session of the token, idempotent by the call id', () => {
    const e = toolCallEvent({ ...base, result: { content: [{ type: 'text', text: 'pod "p" deleted' }] } });
    expect(e).toMatchObject({ eventId: 'mcp-1:tool-called', requestId: 'mcp-1', sessionId: 'tok-1', type: 'McpToolCalled', payload: { requestIds: ['r1', 'r2'], outcome: 'ok', durationMs: 12.346 } });
  });

  it('tells pending, refused and error apart', () => {
    const pending = toolCallEvent({ ...base, result: { content: [], structuredContent: { status: 'pending', approvalId: 'a' } } });
    expect(pending.payload.outcome).toBe('pending');
    const refused = toolCallEvent({ ...base, result: { isError: true, content: [{ type: 'text', text: 'Error from server (Forbidden): denied\nmore' }], structuredContent: { kind: 'Status', code: 403 } } });
    expect(refused.payload).toMatchObject({ outcome: 'refused', message: 'Error from server (Forbidden): denied' });
    expect(toolCallEvent({ ...base, result: { isError: true, content: [], structuredContent: { kind: 'Status', code: 404 } } }).payload.outcome).toBe('error');
  });

  it('masks arguments: a manifest and long text by digest, short scalars as they are', () => {
    const masked = maskArguments({ manifest: 'kind: Secret\ndata: {password: c2VjcmV0}', replicas: 3, name: 'web', note: 'x'.repeat(300), labels: { a: 'b' } });
    expect(masked['replicas']).toBe(3);
    expect(masked['name']).toBe('web');
    expect(masked['manifest']).toMatch(/^<sha256:[0-9a-f]{64}, 39 bytes>$/);
    expect(masked['note']).toMatch(/^<sha256:.*300 bytes>$/);
    expect(JSON.stringify(masked)).not.toContain('c2VjcmV0');
    expect(masked['labels']).toMatch(/^<sha256:/);
  });
});
