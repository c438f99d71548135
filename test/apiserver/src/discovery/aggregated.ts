import { RESOURCES, groupVersions } from '../resources';

/**
 * Aggregated discovery (apidiscovery.k8s.io/v2 APIGroupDiscoveryList): /api answers with the core
 * group only (an item with no name), /apis with every named group. kubectl asks for this first.
 */
function versionDoc(group: string, version: string): Record<string, unknown> {
  const resources = RESOURCES.filter((r) => r.group === group && r.version === version)
    .sort((a, b) => a.resource.localeCompare(b.resource))
    .map((r) => {
      const doc: Record<string, unknown> = {};
      if (r.categories.length) doc['categories'] = r.categories;
      doc['resource'] = r.resource;
      doc['responseKind'] = { group: '', kind: r.kind, version: '' };
      doc['scope'] = r.namespaced ? 'Namespaced' : 'Cluster';
      if (r.shortNames.length) doc['shortNames'] = r.shortNames;
      doc['singularResource'] = r.singular;
      if (r.subresources.length) {
        doc['subresources'] = r.subresources.map((s) => ({
          responseKind: { group: s.group ?? '', kind: s.kind, version: s.version ?? '' },
          subresource: s.name,
          verbs: s.verbs,
        }));
      }
      doc['verbs'] = r.verbs;
      return doc;
    });
  return { freshness: 'Current', resources, version };
}

export function aggregatedDiscovery(legacyCore: boolean, apiVersion: string): Record<string, unknown> {
  const groups = [...new Set(groupVersions().map((gv) => gv.group))].filter((g) => (legacyCore ? g === '' : g !== ''));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${apiVersion}`,
    metadata: {},
    items: groups.map((g) => ({
      metadata: g === '' ? { creationTimestamp: null } : { name: g, creationTimestamp: null },
      versions: groupVersions()
        .filter((gv) => gv.group === g)
        .map((gv) => versionDoc(g, gv.version)),
    })),
  };
}
