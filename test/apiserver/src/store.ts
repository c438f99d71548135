import { ResourceDef } from './resources';
import { KubeObject, deepClone } from './types';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  resource: ResourceDef;
  object: KubeObject;
  /** The state before the write (MODIFIED/DELETED); watches use it to tell when an object leaves a selector. */
  prev?: KubeObject;
  rv: number;
}

type Listener = (e: StoreEvent) => void;

function key(r: ResourceDef, namespace: string | undefined, name: string): string {
  return `${r.group}/${r.resource}/${r.namespaced ? (namespace ?? '') : ''}/${name}`;
}

/**
 * In-memory object storage with one cluster-wide, monotonically increasing resourceVersion
 * (like etcd's revision) and a complete event history so watches can resume from any version.
 */
export class Store {
  private revision = 0;
  private readonly objects = new Map<string, { resource: ResourceDef; object: KubeObject }>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<Listener>();

  get resourceVersion(): string {
    return String(this.revision);
  }

  get(r: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    const hit = this.objects.get(key(r, namespace, name));
    return hit ? deepClone(hit.object) : undefined;
  }

  /** Objects of one resource, in one namespace (or all), sorted by namespace then name like etcd keys. */
  list(r: ResourceDef, namespace?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const { resource, object } of this.objects.values()) {
      if (resource !== r) continue;
      if (r.namespaced && namespace !== undefined && object.metadata.namespace !== namespace) continue;
      out.push(deepClone(object));
    }
    return out.sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`),
    );
  }

  /** Writes (create or update) and stamps a fresh resourceVersion. Returns the stored copy. */
  put(r: ResourceDef, object: KubeObject): KubeObject {
    const k = key(r, object.metadata.namespace, object.metadata.name ?? '');
    const before = this.objects.get(k)?.object;
    this.revision += 1;
    const stored = deepClone(object);
    stored.metadata.resourceVersion = String(this.revision);
    this.objects.set(k, { resource: r, object: stored });
    this.emit(before
      ? { type: 'MODIFIED', resource: r, object: deepClone(stored), prev: before, rv: this.revision }
      : { type: 'ADDED', resource: r, object: deepClone(stored), rv: this.revision });
    return deepClone(stored);
  }

  remove(r: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    const k = key(r, namespace, name);
    const hit = this.objects.get(k);
    if (!hit) return undefined;
    this.objects.delete(k);
    this.revision += 1;
    // A DELETED event carries the last state with the deletion's resourceVersion, as the real server does.
    const last = deepClone(hit.object);
    last.metadata.resourceVersion = String(this.revision);
    this.emit({ type: 'DELETED', resource: r, object: deepClone(last), prev: hit.object, rv: this.revision });
    return last;
  }

  /** Events after `rv` (exclusive) for a resource. */
  eventsSince(r: ResourceDef, rv: number): StoreEvent[] {
    return this.history.filter((e) => e.resource === r && e.rv > rv).map((e) => ({ ...e, object: deepClone(e.object) }));
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    for (const fn of [...this.listeners]) fn({ ...e, object: deepClone(e.object) });
  }
}
