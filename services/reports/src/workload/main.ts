import { randomBytes } from 'node:crypto';
import { connectBus } from '@chaperone/bus';
import { busSubjects } from '@chaperone/contracts';
import { chainedEventStore, JetStreamEventStore } from '@chaperone/event-store';
import { emptySummary, generateHistory } from './generate-history';
import { writeHistory } from './write-history';

/**
 * `npm run workload -- --events 100000 --agents 50 [--seed 1] [--days 30] [--concurrency 32] [--prefix P]`:
 * writes a realistic history straight into an event store on CHAPERONE_NATS_URL (JetStream adapter
 * behind the chaining decorator) and prints what it wrote.
 *
 * By default it writes under a bus prefix of its own (`workload-<random>`), never a deployment's:
 * its agent-registry events would register its made-up agents there. `--prefix` names another one
 * on purpose; point a reports service at it with CHAPERONE_BUS_PREFIX.
 */
function text(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} needs a whole number\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const events = arg('events', 100_000);
  const agents = Math.max(1, arg('agents', 50));
  const seed = arg('seed', 1);
  const days = Math.max(1, arg('days', 30));
  const concurrency = Math.max(1, arg('concurrency', 32));
  const subjects = busSubjects(text('prefix') ?? `workload-${randomBytes(3).toString('hex')}`);
  const nc = await connectBus((process.env['CHAPERONE_NATS_URL'] ?? 'nats://127.0.0.1:4222').split(','), `${subjects.prefix}-workload`);
  const store = chainedEventStore(await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix }));
  const summary = emptySummary();
  const runId = `w${randomBytes(3).toString('hex')}`;
  const start = new Date(Date.now() - days * 86_400_000);
  const t0 = performance.now();
  const written = await writeHistory(store, generateHistory({ events, agents, seed, start, spanDays: days, runId }, summary), {
    concurrency,
    onProgress: (n) => process.stderr.write(`  ${n} events written\n`),
  });
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    `${JSON.stringify({ busPrefix: subjects.prefix, store: subjects.evidenceStream, runId, written, seconds: Number(seconds.toFixed(1)), eventsPerSecond: Math.round(written / seconds), ...summary }, null, 2)}\n`,
  );
  await store.close();
  await nc.drain();
}

main().catch((e: unknown) => {
  process.stderr.write(`workload: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
