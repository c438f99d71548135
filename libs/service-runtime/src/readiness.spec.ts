import { Readiness } from './readiness';

describe('Readiness', () => {
  it('given no checks, then ready', () => {
    expect(new Readiness().evaluate()).toEqual({ ready: true, checks: {} });
  });

  it('given one failing check, then not ready and the failing check is named', () => {
    const r = new Readiness();
    r.add('nats', () => ({ ok: true, detail: 'nats://127.0.0.1:4222' }));
    r.add('policy', () => ({ ok: false, detail: 'not loaded' }));
    expect(r.evaluate()).toEqual({
      ready: false,
      checks: { nats: { ok: true, detail: 'nats://127.0.0.1:4222' }, policy: { ok: false, detail: 'not loaded' } },
    });
  });

  it('given a check that throws, then it counts as failing with its message', () => {
    const r = new Readiness();
    r.add('store', () => {
      throw new Error('connection refused');
    });
    expect(r.evaluate()).toEqual({ ready: false, checks: { store: { ok: false, detail: 'connection refused' } } });
  });
});
