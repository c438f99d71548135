import { readFileSync } from 'node:fs';
import { connect, type NatsConnection } from 'nats';
import { busSubjects } from '@chaperone/contracts';
import { describeIncomplete, describeProblem, loadPublicKey, verifyStore, type StoreVerificationReport } from '@chaperone/evidence-chain';
import { EventStoreDBEventStore, JetStreamEventStore, type EventStore } from '@chaperone/event-store';
import { option, rejectUnknownOptions, requiredOption } from '../args';
import { UsageError, type Command } from '../command';

const USAGE = `usage: chaperone verify --public-key-file <pem>[,<pem>] [--nats-url <url>] [--bus-prefix <prefix>]
                        [--event-store jetstream|eventstoredb] [--grace <seconds>] [--json]

Reads every event of the evidence store, recomputes every stream's hash chain and checks every
signed checkpoint. Prints the first broken link of each stream and every missing or reordered
event (stream, revision, event id), then the totals. In the same pass it checks completeness:
every request let through (decided allow, mask or approve, or its grant claimed) must have its
RequestCompleted (or a reconciler's RequestOutcomeUnknown) stored, and every grant a held request
waited for must be claimed; it prints each one that is not (request id, session, agent, what,
when). Exit code 0: intact and complete; 1: a problem or an incomplete request was found (or the
store could not be read); 2: bad usage.

  --public-key-file  the checkpoint public key, PEM (env CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE); during
                     a key rotation, the old and the new key files, comma-separated
  --nats-url         NATS with the JetStream store (env CHAPERONE_NATS_URL; nats://127.0.0.1:4222)
  --bus-prefix       the deployment's bus prefix (env CHAPERONE_BUS_PREFIX; chaperone)
  --event-store      jetstream (default) or eventstoredb (env CHAPERONE_EVENT_STORE; EventStoreDB
                     reads EVENTSTORE_CONNECTION_STRING)
  --grace            seconds a request may still be in flight: younger ones are not reported (default
                     60; a request held for approval counts from the approval's expiry)
  --json             print the whole report as JSON`;

/** `chaperone verify`: the chain verification, straight from the store. */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'recompute every hash chain of the evidence store and check the signed checkpoints',
  usage: USAGE,
  async run(args, io) {
    rejectUnknownOptions(args, ['public-key-file', 'nats-url', 'bus-prefix', 'event-store', 'grace', 'json']);
    if (args.positional.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positional[0]?.slice(0, 40))}`);
    const keyFile = requiredOption(args, 'public-key-file', { io: io.env, name: 'CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE' });
    const kind = option(args, 'event-store', { io: io.env, name: 'CHAPERONE_EVENT_STORE' }) ?? 'jetstream';
    if (kind !== 'jetstream' && kind !== 'eventstoredb') throw new UsageError(`--event-store must be jetstream or eventstoredb, not ${JSON.stringify(kind.slice(0, 40))}`);
    const graceText = option(args, 'grace') ?? '60';
    const graceSeconds = /^\d{1,9}$/.test(graceText) ? Number(graceText) : NaN;
    if (Number.isNaN(graceSeconds)) throw new UsageError(`--grace must be a whole number of seconds, not ${JSON.stringify(graceText.slice(0, 40))}`);
    // Several files (comma-separated) during a key rotation: the old and the new public key.
    const publicKey = keyFile.split(',').map((file) => {
      let pem: string;
      try {
        pem = readFileSync(file, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read the public key file ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      return loadPublicKey(pem);
    });

    let nc: NatsConnection | undefined;
    let store: EventStore;
    if (kind === 'eventstoredb') {
      const connection = io.env['EVENTSTORE_CONNECTION_STRING'];
      if (!connection) throw new UsageError('--event-store eventstoredb needs EVENTSTORE_CONNECTION_STRING');
      store = EventStoreDBEventStore.fromConnectionString(connection);
    } else {
      let subjects;
      try {
        subjects = busSubjects(option(args, 'bus-prefix', { io: io.env, name: 'CHAPERONE_BUS_PREFIX' }) ?? 'chaperone');
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const servers = (option(args, 'nats-url', { io: io.env, name: 'CHAPERONE_NATS_URL' }) ?? 'nats://127.0.0.1:4222').split(',');
      nc = await connect({ servers, name: 'chaperone-verify', maxReconnectAttempts: 0 });
      // Read only: never create the store's stream, so a wrong prefix is an error, not a new empty store.
      const info = await (await nc.jetstreamManager()).streams.info(subjects.evidenceStream).catch(() => undefined);
      if (!info) {
        await nc.close();
        throw new Error(`no evidence store ${subjects.evidenceStream} on ${servers.join(',')} (check --bus-prefix)`);
      }
      store = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix, ensureStream: false });
    }
    let report: StoreVerificationReport;
    try {
      report = await verifyStore(store, { publicKey, completeness: { graceSeconds } });
    } finally {
      await store.close();
      await nc?.close();
    }
    io.out(args.options.get('json') ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.ok ? 0 : 1;
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
