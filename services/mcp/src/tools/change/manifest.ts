import { parseAllDocuments } from 'yaml';
import { BadArguments } from '../../errors';

/** One object of a manifest, as it will be applied. */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** The object itself: sent as the apply body, byte for byte the same for the same manifest. */
  object: Record<string, unknown>;
}

/** Larger than the API server accepts in one request anyway (3 MiB). */
export const MAX_MANIFEST_CHARS = 3 * 1024 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The objects of a YAML or JSON manifest: several YAML documents, and `kind: List` items, like
 * kubectl apply -f reads them. Each must name its apiVersion, kind and metadata.name.
 */
export function parseManifest(text: string): ManifestObject[] {
  if (text.length > MAX_MANIFEST_CHARS) throw new BadArguments(`the manifest is larger than ${MAX_MANIFEST_CHARS} characters`);
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const objects: ManifestObject[] = [];
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, d) => {
    const problem = doc.errors[0];
    if (problem) throw new BadArguments(`the manifest is not valid YAML or JSON (document ${d + 1}): ${problem.message.split('\n')[0]}`);
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return; // an empty document, e.g. after a trailing ---
    if (!isObject(value)) throw new BadArguments(`document ${d + 1} of the manifest is not an object`);
    const items = value['kind'] === 'List' && Array.isArray(value['items']) ? value['items'] : [value];
    items.forEach((item: unknown, i) => objects.push(toObject(item, items.length > 1 ? `document ${d + 1}, item ${i + 1}` : `document ${d + 1}`)));
  });
  if (objects.length === 0) throw new BadArguments('the manifest holds no object');
  return objects;
}

function toObject(value: unknown, where: string): ManifestObject {
  if (!isObject(value)) throw new BadArguments(`${where} of the manifest is not an object`);
  const meta = isObject(value['metadata']) ? value['metadata'] : {};
  const apiVersion = value['apiVersion'];
  const kind = value['kind'];
  const name = meta['name'];
  if (typeof apiVersion !== 'string' || !apiVersion) throw new BadArguments(`${where} of the manifest has no apiVersion`);
  if (typeof kind !== 'string' || !kind) throw new BadArguments(`${where} of the manifest has no kind`);
  if (typeof name !== 'string' || !name) throw new BadArguments(`${where} of the manifest (${kind}) has no metadata.name (generateName cannot be applied)`);
  const namespace = typeof meta['namespace'] === 'string' && meta['namespace'] ? meta['namespace'] : undefined;
  return { apiVersion, kind, name, ...(namespace ? { namespace } : {}), object: value };
}
