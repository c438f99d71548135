import { upstreamHeaders, type UpstreamIdentity } from './upstream-headers';

const up: UpstreamIdentity = {
  identity: { subject: 'sub-1', username: 'agent:deploy-bot', groups: ['agents', 'team-a'], agent: 'deploy-bot', issuer: 'https://issuer' },
  sessionId: 'session-1',
  requestId: 'request-1',
  authorization: 'Bearer gateway-token',
  upgrade: false,
};

describe('upstreamHeaders', () => {
  it('given an agent token, then the cluster gets the gateway credential instead', () => {
    const out = upstreamHeaders({ authorization: 'Bearer agent-jwt', accept: 'application/json' }, up);
    expect(out['authorization']).toBe('Bearer gateway-token');
    expect(out['accept']).toBe('application/json');
  });

  it('given client impersonation headers in any case, then none survive and ours are set', () => {
    const out = upstreamHeaders(
      { 'impersonate-user': 'system:admin', 'impersonate-group': 'system:masters', 'impersonate-extra-scopes': 'x', 'impersonate-uid': '0' },
      up,
    );
    expect(out['impersonate-user']).toBe('agent:deploy-bot');
    expect(out['impersonate-group']).toEqual(['agents', 'team-a']);
    expect(out['impersonate-extra-scopes']).toBeUndefined();
    expect(out['impersonate-uid']).toBeUndefined();
    expect(out['impersonate-extra-chaperone.dev%2fsession-id']).toBe('session-1');
    expect(out['impersonate-extra-chaperone.dev%2frequest-id']).toBe('request-1');
  });

  it("given Chaperone's own headers (approval reason and mode), then they never reach the cluster", () => {
    const out = upstreamHeaders({ 'x-chaperone-reason': 'restart it', 'x-chaperone-approval-mode': 'ticket', 'x-chaperone-anything': 'y', accept: 'a' }, up);
    expect(Object.keys(out).filter((k) => k.startsWith('x-chaperone-'))).toEqual([]);
    expect(out['accept']).toBe('a');
  });

  it('given headers named in Connection, then they are dropped as hop-by-hop', () => {
    const out = upstreamHeaders({ connection: 'keep-alive, X-Secret-Hop, Impersonate-User', 'x-secret-hop': '1', 'x-kept': '2' }, up);
    expect(out['x-secret-hop']).toBeUndefined();
    expect(out['connection']).toBeUndefined();
    expect(out['x-kept']).toBe('2');
    expect(out['impersonate-user']).toBe('agent:deploy-bot');
  });

  it('given Connection naming Authorization or Impersonate-User, then the gateway still sends its own', () => {
    const out = upstreamHeaders({ connection: 'Authorization, Impersonate-User, Impersonate-Group', authorization: 'Bearer agent' }, up);
    expect(out['authorization']).toBe('Bearer gateway-token');
    expect(out['impersonate-user']).toBe('agent:deploy-bot');
    expect(out['impersonate-group']).toEqual(['agents', 'team-a']);
  });

  it('given an upgrade request, then Connection: Upgrade and the Upgrade header are kept', () => {
    const out = upstreamHeaders({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-protocol': 'v5.channel.k8s.io' }, { ...up, upgrade: true });
    expect(out['connection']).toBe('Upgrade');
    expect(out['upgrade']).toBe('websocket');
    expect(out['sec-websocket-protocol']).toBe('v5.channel.k8s.io');
  });

  it('given no gateway token (client certificates) and no groups, then neither header is invented', () => {
    const out = upstreamHeaders({ authorization: 'Bearer agent' }, { ...up, authorization: undefined, identity: { ...up.identity, groups: [] } });
    expect(out['authorization']).toBeUndefined();
    expect(out['impersonate-group']).toBeUndefined();
  });
});
