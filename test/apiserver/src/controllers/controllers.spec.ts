import { resourceOf } from '../resources';
import { seed } from '../seed';
import { Store } from '../store';
import { startControllers } from './index';

/** The controller manager against the store alone: given a seeded cluster, when an object changes, then its dependents follow. */
const PODS = resourceOf('', 'pods');
const RS = resourceOf('apps', 'replicasets');
const DEPLOYMENTS = resourceOf('apps', 'deployments');
const EVENTS = resourceOf('', 'events');
const EVENTS_V1 = resourceOf('events.k8s.io', 'events');
const settle = () => new Promise((r) => setImmediate(r));

function seeded(): { store: Store; stop: () => void } {
  const store = new Store();
  seed(store);
  return { store, stop: startControllers(store) };
}

describe('controllers', () => {
  it('seed: every pod has a controller, and every event is in both APIs', async () => {
    const { store, stop } = seeded();
    await settle();
    for (const p of store.list(PODS)) expect(p.metadata['ownerReferences']).toHaveLength(1);
    expect(store.list(EVENTS).map((e) => e.metadata.name)).toEqual(store.list(EVENTS_V1).map((e) => e.metadata.name));
    expect(store.list(EVENTS).length).toBeGreaterThan(10);
    stop();
  });

  it('deleting a deployment collects its replicasets and their pods', async () => {
    const { store, stop } = seeded();
    await settle();
    store.remove(DEPLOYMENTS, 'default', 'web');
    await settle();
    expect(store.list(RS, 'default')).toEqual([]);
    expect(store.list(PODS, 'default').map((p) => p.metadata.name)).toEqual(['worker-0']);
    stop();
  });

  it('a deployment created without pods gets a replicaset and its replicas', async () => {
    const { store, stop } = seeded();
    store.put(DEPLOYMENTS, {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'api', namespace: 'default', uid: 'u-api', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'api:1' }] } } },
    });
    await settle();
    const [rs] = store.list(RS, 'default').filter((r) => r.metadata.name?.startsWith('api-'));
    expect(rs?.metadata.name).toMatch(/^api-[b-z2-9]+$/);
    const pods = store.list(PODS, 'default').filter((p) => p.metadata.labels?.['app'] === 'api');
    expect(pods).toHaveLength(2);
    expect(pods.every((p) => p.metadata.labels?.['pod-template-hash'] === rs?.metadata.name?.slice(4))).toBe(true);
    stop();
  });

  it('an event written through events.k8s.io/v1 is a core event too, and a deletion goes to both', async () => {
    const { store, stop } = seeded();
    store.put(EVENTS_V1, { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'x.1', namespace: 'default' }, regarding: { kind: 'Pod', name: 'worker-0' }, note: 'hello', reason: 'Test', type: 'Normal', reportingController: 'me', eventTime: null });
    expect(store.get(EVENTS, 'default', 'x.1')).toMatchObject({ involvedObject: { kind: 'Pod', name: 'worker-0' }, message: 'hello', source: { component: 'me' } });
    store.remove(EVENTS, 'default', 'x.1');
    expect(store.get(EVENTS_V1, 'default', 'x.1')).toBeUndefined();
    stop();
  });
});
