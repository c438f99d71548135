import { BadArguments } from '../../errors';
import { parseManifest } from './manifest';

describe('reading a manifest like kubectl apply -f', () => {
  it('reads several YAML documents, skipping empty ones', () => {
    const objects = parseManifest(`
apiVersion: v1
kind: ConfigMap
metadata: { name: a, namespace: team }
data: { k: v }
---
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: b
`);
    expect(objects.map((o) => [o.apiVersion, o.kind, o.name, o.namespace])).toEqual([
      ['v1', 'ConfigMap', 'a', 'team'],
      ['apps/v1', 'Deployment', 'b', undefined],
    ]);
    expect(objects[0]?.object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'team' }, data: { k: 'v' } });
  });

  it('reads JSON and List items', () => {
    const objects = parseManifest(JSON.stringify({ kind: 'List', items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' } }] }));
    expect(objects.map((o) => o.kind)).toEqual(['Secret', 'Service']);
  });

  it.each([
    ['kind: ConfigMap\nmetadata: {name: a}', /no apiVersion/],
    ['apiVersion: v1\nmetadata: {name: a}', /no kind/],
    ['apiVersion: v1\nkind: Pod\nmetadata: {generateName: a-}', /no metadata.name/],
    ['- just\n- a list', /not an object/],
    ['apiVersion: v1\nkind: [', /not valid YAML or JSON/],
    ['', /holds no object/],
  ])('refuses %j', (text, why) => {
    expect(() => parseManifest(text)).toThrow(BadArguments);
    expect(() => parseManifest(text)).toThrow(why);
  });
});
