import { stringify } from 'yaml';

type Doc = Record<string, unknown>;
const obj = (v: unknown): Doc => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Doc) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const text = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/** Drop what kubectl hides by default too: managedFields are bookkeeping, long, and useless to an agent. */
export function withoutManagedFields(o: unknown): unknown {
  const d = obj(o);
  if (!d['metadata']) return o;
  const { managedFields: _hidden, ...metadata } = obj(d['metadata']);
  return { ...d, metadata };
}

/** An object the ingress returned (masked), as YAML (kubectl -o yaml) or JSON. */
export function objectText(o: unknown, output: 'yaml' | 'json'): string {
  const shown = withoutManagedFields(o);
  return output === 'json' ? JSON.stringify(shown, null, 2) : stringify(shown, { lineWidth: 0 });
}

/** Columns padded like kubectl's printer. */
export function columns(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3))).join('').trimEnd()).join('\n');
}

/**
 * A meta.k8s.io Table (what kubectl get prints), priority-0 columns only. With `namespaces`, a
 * NAMESPACE column first, read from each row's object metadata.
 */
export function tableText(table: unknown, namespaces: boolean): string {
  const t = obj(table);
  const defs = arr(t['columnDefinitions']).map(obj);
  const shown = defs.map((d, i) => ({ i, d })).filter(({ d }) => (d['priority'] ?? 0) === 0);
  const header = [...(namespaces ? ['NAMESPACE'] : []), ...shown.map(({ d }) => text(d['name']).toUpperCase())];
  const rows = arr(t['rows']).map(obj).map((row) => {
    const cells = arr(row['cells']);
    const ns = text(obj(obj(row['object'])['metadata'])['namespace']);
    return [...(namespaces ? [ns] : []), ...shown.map(({ i }) => text(cells[i]))];
  });
  if (rows.length === 0) return 'No resources found.';
  return columns([header, ...rows]);
}

/** The names in a list (kubectl get -o name). */
export function namesText(list: unknown, typeName: string): string {
  const items = arr(obj(list)['items']).map((i) => text(obj(obj(i)['metadata'])['name']));
  return items.length ? items.map((n) => `${typeName}/${n}`).join('\n') : 'No resources found.';
}

function eventTime(e: Doc): string {
  return text(e['lastTimestamp']) || text(e['eventTime']) || text(obj(e['series'])['lastObservedTime']) || text(obj(e['metadata'])['creationTimestamp']);
}

/** Events, oldest first, as kubectl get events / describe show them. `withObject` adds the object they are about. */
export function eventsText(list: unknown, withObject: boolean): string {
  const items = arr(obj(list)['items']).map(obj);
  if (items.length === 0) return 'No events.';
  items.sort((a, b) => eventTime(a).localeCompare(eventTime(b)));
  const header = ['LAST SEEN', 'TYPE', 'REASON', ...(withObject ? ['OBJECT'] : []), 'COUNT', 'MESSAGE'];
  const rows = items.map((e) => {
    const about = obj(e['involvedObject']);
    const count = e['count'] ?? obj(e['series'])['count'] ?? 1;
    return [
      eventTime(e),
      text(e['type']),
      text(e['reason']),
      ...(withObject ? [`${text(about['kind']).toLowerCase()}/${text(about['name'])}`] : []),
      text(count),
      text(e['message']).replace(/\s+/g, ' ').trim(),
    ];
  });
  return columns([header, ...rows]);
}
