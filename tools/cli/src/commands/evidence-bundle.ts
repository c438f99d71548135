import { createHash, sign, verify, type KeyObject, createPublicKey } from 'node:crypto';
import { canonicalJson, CHAIN_HASH_KEY, GENESIS, keyIdOf, linkHash, PREV_HASH_KEY, type ChainEntry, type RecordedEventLike } from '@chaperone/evidence-chain';
import {
  evidenceLeafHash,
  fromHex,
  isSignedTreeHead,
  signTreeHead,
  toHex,
  verifyInclusion,
  verifyTreeHead,
  type MerkleTree,
  type SignedTreeHead,
} from '@chaperone/merkle-log';

/**
 * One file an auditor takes away and checks without the cluster: the events of a period with an
 * inclusion proof each against a signed head of the whole log, the stored bodies they reference,
 * the public key, optionally the SOC 2 report, and a signed manifest that binds them together.
 */
export const BUNDLE_KIND = 'chaperone.evidence-bundle/v1';
const MANIFEST_KIND = 'chaperone.evidence-bundle-manifest/v1';

export interface BundledEvent {
  leafIndex: number;
  globalPosition: number;
  recordedAt: string;
  event: ChainEntry;
  path: string[];
}

export interface BundleManifest {
  kind: typeof MANIFEST_KIND;
  createdAt: string;
  period: { from: string; to: string };
  treeSize: number;
  rootHash: string;
  events: number;
  /** sha256 (hex) of the canonical JSON of `bodies`. */
  bodiesDigest: string;
  /** sha256 (hex) of the canonical JSON of the SOC 2 report, when one is bundled. */
  soc2ReportDigest?: string;
  keyId: string;
  signature: string;
}

export interface EvidenceBundle {
  kind: typeof BUNDLE_KIND;
  publicKeys: Array<{ keyId: string; pem: string }>;
  treeHead: SignedTreeHead;
  events: BundledEvent[];
  /** Stored bodies by content address ("sha256:<hex>" → base64). */
  bodies: Record<string, string>;
  /** Bodies the events name as stored that the blob store did not have. */
  missingBodies: string[];
  soc2Report?: unknown;
  manifest: BundleManifest;
}

const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

function manifestPayload(m: Omit<BundleManifest, 'signature'>): Buffer {
  const { signature: _s, ...rest } = m as BundleManifest;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

/** The stored-body digests an event names (RequestCompleted's request and response bodies). */
export function storedBodyDigests(data: unknown): string[] {
  const payload = (data as { payload?: Record<string, unknown> } | null)?.payload;
  const out: string[] = [];
  for (const key of ['requestBody', 'responseBody']) {
    const digest = (payload?.[key] as { stored?: { digest?: unknown } } | undefined)?.stored?.digest;
    if (typeof digest === 'string') out.push(digest);
  }
  return out;
}

export interface BuildBundleInput {
  tree: MerkleTree;
  events: ReadonlyArray<{ leafIndex: number; event: RecordedEventLike & { globalPosition: number; recordedAt: string } }>;
  bodies: Record<string, string>;
  missingBodies: string[];
  soc2Report?: unknown;
  period: { from: string; to: string };
  privateKey: KeyObject;
  now?: () => Date;
}

export function buildBundle(input: BuildBundleInput): EvidenceBundle {
  const publicKey = createPublicKey(input.privateKey);
  const keyId = keyIdOf(publicKey);
  const now = input.now ?? (() => new Date());
  const size = input.tree.size;
  const treeHead = signTreeHead({ size, rootHash: input.tree.rootHash(size) }, { privateKey: input.privateKey, keyId, now });
  const events: BundledEvent[] = input.events.map(({ leafIndex, event }) => ({
    leafIndex,
    globalPosition: event.globalPosition,
    recordedAt: event.recordedAt,
    event: { stream: event.stream, revision: event.revision, eventId: event.eventId, type: event.type, data: event.data, metadata: event.metadata },
    path: input.tree.inclusionProof(leafIndex, size).map(toHex),
  }));
  const unsigned: Omit<BundleManifest, 'signature'> = {
    kind: MANIFEST_KIND,
    createdAt: now().toISOString(),
    period: input.period,
    treeSize: size,
    rootHash: treeHead.rootHash,
    events: events.length,
    bodiesDigest: sha256Hex(canonicalJson(input.bodies)),
    ...(input.soc2Report !== undefined ? { soc2ReportDigest: sha256Hex(canonicalJson(input.soc2Report)) } : {}),
    keyId,
  };
  const manifest: BundleManifest = { ...unsigned, signature: sign(null, manifestPayload(unsigned), input.privateKey).toString('base64') };
  return {
    kind: BUNDLE_KIND,
    publicKeys: [{ keyId, pem: publicKey.export({ format: 'pem', type: 'spki' }).toString() }],
    treeHead,
    events,
    bodies: input.bodies,
    missingBodies: input.missingBodies,
    ...(input.soc2Report !== undefined ? { soc2Report: input.soc2Report } : {}),
    manifest,
  };
}

export interface BundleVerification {
  ok: boolean;
  checked: string[];
  warnings: string[];
  problems: string[];
}

/**
 * Checks a bundle offline. `trustedKeys`: the keys the auditor trusts (else the bundle's own, with a
 * warning: a bundle can carry any key). Every event: its leaf recomputed from content proves into
 * the signed tree, its chain link matches its content, and each stream's events are consecutive.
 * Every body matches its content address; the manifest's signature covers the head, the bodies and
 * the report.
 */
export function verifyBundle(doc: unknown, opts: { trustedKeys?: readonly KeyObject[]; trustedHeads?: readonly SignedTreeHead[] } = {}): BundleVerification {
  const checked: string[] = [];
  const warnings: string[] = [];
  const problems: string[] = [];
  const b = doc as Partial<EvidenceBundle> | null;
  if (b?.kind !== BUNDLE_KIND) return { ok: false, checked, warnings, problems: [`not an evidence bundle (kind ${JSON.stringify(String(b?.kind)).slice(0, 60)}, expected ${BUNDLE_KIND})`] };

  let keys: KeyObject[];
  if (opts.trustedKeys?.length) keys = [...opts.trustedKeys];
  else {
    warnings.push('no --public-key-file: the signatures were checked with the key inside the bundle, which proves integrity, not origin');
    keys = [];
    for (const k of b.publicKeys ?? []) {
      try {
        keys.push(createPublicKey(k.pem));
      } catch {
        problems.push(`bundled public key ${String(k.keyId)} cannot be read`);
      }
    }
  }
  const keyFor = (keyId: string) => keys.find((k) => keyIdOf(k) === keyId) ?? (keys.length === 1 ? keys[0] : undefined);

  // The head of the log.
  const head = b.treeHead;
  let root: Buffer | undefined;
  if (!isSignedTreeHead(head)) problems.push('the bundle has no well-formed signed tree head');
  else {
    const key = keyFor(head.keyId);
    if (key && verifyTreeHead(head, key)) {
      checked.push(`tree head: ${head.size} events, root ${head.rootHash}, signed ${head.timestamp} by ${head.keyId}`);
      root = fromHex(head.rootHash);
    } else problems.push(`tree head (size ${head.size}): signature does not verify with ${opts.trustedKeys?.length ? 'the given public key' : 'the bundled key'}`);
    for (const t of opts.trustedHeads ?? []) {
      if (t.size === head.size && t.rootHash !== head.rootHash) problems.push(`tree head: root differs from the trusted head of size ${t.size}: the log was rewritten`);
    }
  }

  // The events.
  const events = Array.isArray(b.events) ? b.events : [];
  let proven = 0;
  const lastOfStream = new Map<string, { revision: number; chainHash: unknown }>();
  for (const [i, e] of events.entries()) {
    const where = `event ${i} (${String(e?.event?.stream)}@${String(e?.event?.revision)}, ${String(e?.event?.eventId)})`;
    let leaf: Buffer | undefined;
    let path: Buffer[] | undefined;
    try {
      leaf = evidenceLeafHash(e.event);
      path = e.path.map((h) => fromHex(h));
    } catch (err) {
      problems.push(`${where}: malformed (${(err as Error).message})`);
      continue;
    }
    if (root && head && isSignedTreeHead(head)) {
      if (verifyInclusion(leaf, e.leafIndex, head.size, path, root)) proven++;
      else problems.push(`${where}: its inclusion proof does not lead to the signed root (altered, moved, or not in the log)`);
    }
    const md = e.event.metadata ?? {};
    const prev = md[PREV_HASH_KEY];
    let link: string | undefined;
    try {
      link = typeof prev === 'string' ? linkHash(prev, e.event) : undefined;
    } catch {
      link = undefined;
    }
    if (link === undefined || link !== md[CHAIN_HASH_KEY]) problems.push(`${where}: its content does not yield its recorded chain hash`);
    const before = lastOfStream.get(e.event.stream);
    if (before) {
      if (e.event.revision !== before.revision + 1 || prev !== before.chainHash) problems.push(`${where}: does not follow revision ${before.revision} of its stream in the bundle (an event is missing or out of order)`);
    } else if (e.event.revision === 0 && prev !== GENESIS) problems.push(`${where}: revision 0 does not start from GENESIS`);
    lastOfStream.set(e.event.stream, { revision: e.event.revision, chainHash: md[CHAIN_HASH_KEY] });
  }
  if (root) checked.push(`${proven} of ${events.length} events proven in the signed tree; chain links checked in ${lastOfStream.size} streams`);

  // The bodies.
  const bodies = b.bodies ?? {};
  let bodiesOk = 0;
  for (const [digest, base64] of Object.entries(bodies)) {
    if (`sha256:${sha256Hex(Buffer.from(String(base64), 'base64'))}` === digest) bodiesOk++;
    else problems.push(`body ${digest}: its bytes do not match its content address`);
  }
  const named = new Set(events.flatMap((e) => storedBodyDigests(e?.event?.data)));
  const missing = [...named].filter((d) => !(d in bodies));
  if (missing.length) warnings.push(`${missing.length} stored bod${missing.length === 1 ? 'y is' : 'ies are'} named by the events but not in the bundle (not stored yet, or pruned): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
  checked.push(`${bodiesOk} bod${bodiesOk === 1 ? 'y matches its' : 'ies match their'} content address`);

  // The manifest.
  const m = b.manifest;
  if (!m || typeof m.signature !== 'string') problems.push('the bundle has no signed manifest');
  else {
    const key = keyFor(m.keyId);
    let signed = false;
    try {
      signed = !!key && verify(null, manifestPayload(m), key, Buffer.from(m.signature, 'base64'));
    } catch {
      signed = false;
    }
    if (!signed) problems.push('manifest: signature does not verify');
    if (isSignedTreeHead(head) && (m.rootHash !== head.rootHash || m.treeSize !== head.size)) problems.push('manifest: names another tree head than the bundle carries');
    if (m.events !== events.length) problems.push(`manifest: names ${m.events} events, the bundle carries ${events.length}`);
    if (m.bodiesDigest !== sha256Hex(canonicalJson(bodies))) problems.push('manifest: the bodies differ from those signed');
    if ((m.soc2ReportDigest ?? null) !== (b.soc2Report === undefined ? null : sha256Hex(canonicalJson(b.soc2Report)))) problems.push('manifest: the SOC 2 report differs from the one signed');
    if (signed) checked.push(`manifest: period ${m.period?.from} to ${m.period?.to}, signed ${m.createdAt}${m.soc2ReportDigest ? ', with the SOC 2 report' : ''}`);
  }
  return { ok: problems.length === 0, checked, warnings, problems };
}
