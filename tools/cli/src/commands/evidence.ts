import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { JetStreamBlobStore } from '@chaperone/blob-store';
import type { RecordedEventLike } from '@chaperone/evidence-chain';
import { headsOf, readEvidenceLog, type SignedTreeHead } from '@chaperone/merkle-log';
import { option, rejectUnknownOptions, requiredOption, type ParsedArgs } from '../args';
import { UsageError, type Command, type Io } from '../command';
import { buildBundle, storedBodyDigests, verifyBundle } from './evidence-bundle';
import { EVIDENCE_OPTIONS, EVIDENCE_OPTIONS_USAGE, openEvidenceReader } from './evidence-reader';
import { readPrivateKeyFile, readPublicKeyFiles } from './key-files';

const USAGE = `usage: chaperone evidence export --out FILE [--from DATE] [--to DATE] [--private-key-file <pem>]
                                 [--blob-bucket NAME] [--soc2-report FILE] [store options]
       chaperone evidence verify-bundle FILE [--public-key-file <pem>[,<pem>]] [--trusted-head FILE[,FILE]] [--json]

export: one file with the events recorded in [--from, --to) (ISO dates or date-times; default: all),
each with an inclusion proof against a freshly signed head of the whole log (the tree is built by
reading the whole store once), the stored bodies they reference (JetStream blob store), the public
key, the SOC 2 report given with --soc2-report (from chaperone report soc2 --out), and a signed
manifest over all of it. A FILE ending in .gz is gzipped.

verify-bundle: checks a bundle offline: the head and manifest signatures, every event's inclusion
proof and chain link, that each stream's events are consecutive, and every body's content address.
Exit code 0: the bundle holds; 1: it does not.

  --private-key-file the checkpoint signing key, PEM (env CHAPERONE_CHECKPOINT_KEY_FILE)
  --blob-bucket      the JetStream object-store bucket of the bodies (env CHAPERONE_BLOB_BUCKET;
                     default <bus prefix>-blobs)
  --public-key-file  the key to trust (env CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE); without it the
                     bundle's own key is used and a warning says so
  --trusted-head     earlier proofs or bundles you kept: a head of the same size must have the same root
${EVIDENCE_OPTIONS_USAGE}`;

function instant(value: string | undefined, name: string, fallback: string): string {
  const v = value ?? fallback;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new UsageError(`--${name} must be an ISO date or date-time, not ${JSON.stringify(v.slice(0, 40))}`);
  return new Date(t).toISOString();
}

function readMaybeGzipped(file: string): unknown {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse((bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8')) as unknown;
  } catch {
    throw new Error(`${file} is not JSON (or gzipped JSON)`);
  }
}

async function exportBundle(args: ParsedArgs, io: Io): Promise<number> {
  rejectUnknownOptions(args, ['out', 'from', 'to', 'private-key-file', 'blob-bucket', 'soc2-report', ...EVIDENCE_OPTIONS]);
  if (args.positional.length !== 1) throw new UsageError(`unexpected argument ${JSON.stringify(args.positional[1]?.slice(0, 40))}`);
  const out = requiredOption(args, 'out');
  const from = instant(option(args, 'from'), 'from', '1970-01-01T00:00:00Z');
  const to = instant(option(args, 'to'), 'to', new Date().toISOString());
  const privateKey = readPrivateKeyFile(requiredOption(args, 'private-key-file', { io: io.env, name: 'CHAPERONE_CHECKPOINT_KEY_FILE' }));
  const reportFile = option(args, 'soc2-report');
  const soc2Report = reportFile ? readMaybeGzipped(reportFile) : undefined;

  const opened = await openEvidenceReader(args, io, 'evidence-export');
  const inPeriod: Array<{ leafIndex: number; event: RecordedEventLike & { globalPosition: number; recordedAt: string } }> = [];
  const bodies: Record<string, string> = {};
  const missingBodies: string[] = [];
  let tree;
  try {
    const log = await readEvidenceLog(opened.store, {
      onLeaf: (event, leafIndex) => {
        const at = (event as { recordedAt?: string }).recordedAt ?? '';
        if (at >= from && at < to) inPeriod.push({ leafIndex, event: event as RecordedEventLike & { globalPosition: number; recordedAt: string } });
      },
    });
    tree = log.tree;
    const digests = [...new Set(inPeriod.flatMap(({ event }) => storedBodyDigests(event.data)))];
    if (digests.length > 0) {
      if (!opened.nc) throw new Error('stored bodies are read from the JetStream blob store; with --event-store eventstoredb export them separately');
      const bucket = option(args, 'blob-bucket', { io: io.env, name: 'CHAPERONE_BLOB_BUCKET' }) ?? `${option(args, 'bus-prefix', { io: io.env, name: 'CHAPERONE_BUS_PREFIX' }) ?? 'chaperone'}-blobs`;
      const blobs = await JetStreamBlobStore.create(opened.nc, { bucket, ensureBucket: false }).catch(() => undefined);
      for (const digest of digests) {
        const bytes = await blobs?.get(digest).catch(() => undefined);
        if (bytes) bodies[digest] = Buffer.from(bytes).toString('base64');
        else missingBodies.push(digest);
      }
      await blobs?.close();
    }
  } finally {
    await opened.close();
  }
  const bundle = buildBundle({ tree, events: inPeriod, bodies, missingBodies, soc2Report, period: { from, to }, privateKey });
  const text = JSON.stringify(bundle);
  writeFileSync(out, out.endsWith('.gz') ? gzipSync(text) : text);
  io.err(`${inPeriod.length} events of ${tree.size}, ${Object.keys(bodies).length} bodies${missingBodies.length ? ` (${missingBodies.length} not in the blob store)` : ''}${soc2Report ? ', the SOC 2 report' : ''}\n`);
  io.out(`${out}\n`);
  return 0;
}

function verify(args: ParsedArgs, io: Io): number {
  rejectUnknownOptions(args, ['public-key-file', 'trusted-head', 'json']);
  if (args.positional.length !== 2) throw new UsageError('give one bundle FILE');
  const keyFiles = option(args, 'public-key-file', { io: io.env, name: 'CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE' });
  const trustedHeads: SignedTreeHead[] = [];
  for (const file of option(args, 'trusted-head')?.split(',') ?? []) trustedHeads.push(...headsOf(readMaybeGzipped(file)));
  const result = verifyBundle(readMaybeGzipped(args.positional[1] as string), { ...(keyFiles ? { trustedKeys: readPublicKeyFiles(keyFiles) } : {}), trustedHeads });
  if (args.options.get('json')) io.out(`${JSON.stringify(result, null, 2)}\n`);
  else {
    const lines = (prefix: string, l: string[]) => l.map((x) => `  ${prefix}${x}\n`).join('');
    io.out(`${result.ok ? 'OK' : `FAILED: ${result.problems.length} problem(s)`}\n${lines('', result.problems)}${lines('', result.checked)}${lines('warning: ', result.warnings)}`);
  }
  return result.ok ? 0 : 1;
}

/** `chaperone evidence`: the auditor's bundle, written and checked. */
export const evidenceCommand: Command = {
  name: 'evidence',
  summary: 'export a period as one self-checking bundle (events, proofs, bodies, keys, report); verify one offline',
  usage: USAGE,
  async run(args, io) {
    const sub = args.positional[0];
    if (sub === 'export') return exportBundle(args, io);
    if (sub === 'verify-bundle') return verify(args, io);
    throw new UsageError('use chaperone evidence export ... or chaperone evidence verify-bundle FILE');
  },
};
