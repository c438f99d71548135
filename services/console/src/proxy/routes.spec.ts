import { routeOf } from './routes';

describe('the console API passes on only the approvers and reports routes', () => {
  it('maps approvals to the approvers API, with the query', () => {
    expect(routeOf('GET', '/approvals', 'status=all')).toMatchObject({ upstream: 'approval', path: '/approvals?status=all' });
    expect(routeOf('POST', '/approvals/0b5c7f1e-1111-4222-8333-944455556666/approve', '')).toMatchObject({ upstream: 'approval', path: '/approvals/0b5c7f1e-1111-4222-8333-944455556666/approve' });
  });

  it('maps sessions, replays, bodies, reports and verify to the reports API, reads only', () => {
    expect(routeOf('GET', '/sessions', 'agent=a')?.upstream).toBe('reports');
    expect(routeOf('GET', '/sessions/s-1/replay', '')?.path).toBe('/sessions/s-1/replay');
    expect(routeOf('GET', '/sessions/s-1/requests/r-1/body/response', '')?.upstream).toBe('reports');
    expect(routeOf('GET', '/reports/soc2', 'format=csv&section=summary')?.path).toBe('/reports/soc2?format=csv&section=summary');
    expect(routeOf('GET', '/verify', '')?.upstream).toBe('reports');
    expect(routeOf('GET', '/sessions/s-1/requests/r-1/recording', '')?.path).toBe('/sessions/s-1/requests/r-1/recording');
    expect(routeOf('GET', '/agents', 'recent=5')).toMatchObject({ upstream: 'reports', path: '/agents?recent=5' });
    expect(routeOf('POST', '/agents', '')).toBeUndefined();
    expect(routeOf('POST', '/sessions', '')).toBeUndefined();
  });

  it('refuses everything else: other paths, methods, traversal', () => {
    expect(routeOf('GET', '/projections', '')).toBeUndefined();
    expect(routeOf('POST', '/projections/rebuild', '')).toBeUndefined();
    expect(routeOf('DELETE', '/approvals/x', '')).toBeUndefined();
    expect(routeOf('GET', '/approvals/../metrics', '')).toBeUndefined();
    expect(routeOf('GET', '/sessions/a/../../x', '')).toBeUndefined();
    expect(routeOf('GET', '//evil.example/approvals', '')).toBeUndefined();
    expect(routeOf('GET', '/approvals/a/b/c', '')).toBeUndefined();
    expect(routeOf('GET', '/agents/demo-agent', '')).toBeUndefined();
    expect(routeOf('GET', '/sessions/s-1/requests/r-1/recording/x', '')).toBeUndefined();
  });
});
