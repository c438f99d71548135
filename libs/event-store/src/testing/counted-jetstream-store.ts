/// <reference types="jest" />
import { connect, type NatsConnection } from 'nats';
import { JetStreamEventStore } from '../jetstream/jetstream-store';
import type { EvidenceStreamConfig } from '../jetstream/stream-config';

/**
 * A JetStream store on its own connection whose tail lookups (direct gets through the JetStream
 * manager it opens) are counted: what the tests of the adapter and of the chaining decorator
 * assert "no lookup per event" with. Not exported from the package: specs import it.
 */
export interface CountedStore {
  nc: NatsConnection;
  store: JetStreamEventStore;
  lookups(): number;
}

export async function countedJetStreamStore(servers: string[], config: EvidenceStreamConfig): Promise<CountedStore> {
  const nc = await connect({ servers, name: 'event-store-counted' });
  const open = nc.jetstreamManager.bind(nc);
  let getMessage: jest.SpyInstance | undefined;
  jest.spyOn(nc, 'jetstreamManager').mockImplementation(async (opts) => {
    const m = await open(opts);
    getMessage = jest.spyOn(m.streams, 'getMessage');
    return m;
  });
  const store = await JetStreamEventStore.create(nc, config);
  return { nc, store, lookups: () => getMessage?.mock.calls.length ?? 0 };
}

/** `run`'s result and the lookups it made. */
export async function lookupsDuring<T>(s: { lookups(): number }, run: () => Promise<T>): Promise<{ result: T; lookups: number }> {
  const before = s.lookups();
  const result = await run();
  return { result, lookups: s.lookups() - before };
}
