import {
  describeIncomplete,
  describeProblem,
  describeRecordingProblem,
  indexRecordings,
  newRecordingsIndex,
  verifyRecordings,
  verifyStore,
  type RecordingsReport,
  type StoreVerificationReport,
} from '@chaperone/evidence-chain';
import { option, rejectUnknownOptions, requiredOption } from '../args';
import { UsageError, type Command } from '../command';
import { EVIDENCE_OPTIONS, EVIDENCE_OPTIONS_USAGE, openEvidence } from './evidence-connection';
import { readPublicKeyFiles } from './key-files';

const USAGE = `usage: chaperone verify --public-key-file <pem>[,<pem>] [--nats-url <url>] [--bus-prefix <prefix>]
                        [--event-store jetstream|eventstoredb] [--grace <seconds>]
                        [--blob-store jetstream|s3] [--blob-bucket <bucket>] [--skip-bodies] [--json]

Reads every event of the evidence store, recomputes every stream's hash chain and checks every
signed checkpoint. Prints the first broken link of each stream and every missing or reordered
event (stream, revision, event id), then the totals. In the same pass it checks completeness:
every request let through (decided allow, mask or approve, or its grant claimed) must have its
RequestCompleted (or a reconciler's RequestOutcomeUnknown) stored, and every grant a held request
waited for must be claimed; it prints each one that is not (request id, session, agent, what,
when). Then it checks every recorded body the events name: its blob must be in the blob store and
read back as its digest; a missing or altered blob is named with the requests that reference it
(bodies deleted by \`chaperone recordings prune\` are expected absent). Exit code 0: intact and
complete; 1: a problem, an incomplete request or a missing or altered body was found (or a store
could not be read); 2: bad usage.

  --public-key-file  the checkpoint public key, PEM (env CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE); during
                     a key rotation, the old and the new key files, comma-separated
${EVIDENCE_OPTIONS_USAGE}
  --grace            seconds a request may still be in flight: younger ones are not reported (default
                     60; a request held for approval counts from the approval's expiry)
  --skip-bodies      do not check the recorded bodies
  --json             print the whole report as JSON`;

/** `chaperone verify`: the chain verification, completeness and the recorded bodies, straight from the stores. */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'recompute every hash chain of the evidence store, check the signed checkpoints and the recorded bodies',
  usage: USAGE,
  async run(args, io) {
    rejectUnknownOptions(args, ['public-key-file', ...EVIDENCE_OPTIONS, 'grace', 'skip-bodies', 'json']);
    if (args.positional.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positional[0]?.slice(0, 40))}`);
    const keyFile = requiredOption(args, 'public-key-file', { io: io.env, name: 'CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE' });
    const graceText = option(args, 'grace') ?? '60';
    const graceSeconds = /^\d{1,9}$/.test(graceText) ? Number(graceText) : NaN;
    if (Number.isNaN(graceSeconds)) throw new UsageError(`--grace must be a whole number of seconds, not ${JSON.stringify(graceText.slice(0, 40))}`);
    // Several files (comma-separated) during a key rotation: the old and the new public key.
    const publicKey = readPublicKeyFiles(keyFile);

    const evidence = await openEvidence(args, io, { name: 'chaperone-verify' });
    let report: StoreVerificationReport;
    let recordings: RecordingsReport | undefined;
    try {
      // One read of the store: the recorded bodies' index is folded from the verification's own pass.
      const index = args.options.get('skip-bodies') === true ? undefined : newRecordingsIndex();
      report = await verifyStore(evidence.store, { publicKey, completeness: { graceSeconds }, ...(index ? { observe: (e) => indexRecordings(index, e) } : {}) });
      if (index) {
        // No blob store is needed (nor opened) when no event names a stored body.
        const blobs = index.refs.length > 0 ? await evidence.blobs() : { getStream: async () => undefined };
        recordings = await verifyRecordings(index, blobs);
      }
    } finally {
      await evidence.close();
    }
    const ok = report.ok && (recordings?.ok ?? true);
    io.out(args.options.get('json') ? `${JSON.stringify({ ...report, ok, ...(recordings ? { recordings } : {}) }, null, 2)}\n` : formatReport(report) + (recordings ? formatRecordings(recordings) : ''));
    return ok ? 0 : 1;
  },
};

function formatReport(r: StoreVerificationReport): string {
  const totals =
    `${r.streams} streams, ${r.events} events, ${r.checkpoints} signed checkpoints` +
    (r.lastCheckpointAt ? ` (newest ${r.lastCheckpointAt})` : '') +
    `, through store position ${r.throughPosition}`;
  const chain =
    r.problems.length === 0
      ? `OK: every chain is intact and every signed head is reached: ${totals}\n`
      : `BROKEN: ${r.problems.length} problem(s) in ${totals}\n${r.problems.map((p) => `  ${p.kind}: ${describeProblem(p)}\n`).join('')}`;
  const c = r.completeness;
  if (!c) return chain;
  const counted = `${c.proceeded} request(s) let through, ${c.inFlight} still in flight (younger than the ${c.graceSeconds} s grace or held for approval)`;
  const unused = c.unusedTicketGrants > 0 ? `; ${c.unusedTicketGrants} ticket grant(s) ended unused` : '';
  if (c.ok) return `${chain}OK: every request let through has its completion stored: ${counted}${unused}\n`;
  return `${chain}INCOMPLETE: ${c.incomplete.length} request(s) or grant(s) without a stored end; ${counted}${unused}\n${c.incomplete.map((i) => `  ${i.kind}: ${describeIncomplete(i)}\n`).join('')}`;
}

function formatRecordings(r: RecordingsReport): string {
  const totals = `${r.bodies} recorded bodies in ${r.blobs} blobs${r.pruned ? `, ${r.pruned} pruned by retention` : ''}`;
  if (r.ok) return `OK: every recorded body is in the blob store, unaltered: ${totals}\n`;
  return `BROKEN: ${r.problems.length} recorded blob(s) missing or altered, of ${totals}\n${r.problems
    .map((p) => `  recording-${p.kind}: ${describeRecordingProblem(p)}\n`)
    .join('')}`;
}
