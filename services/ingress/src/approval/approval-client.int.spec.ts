import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { busSubjects, type OpenApproval } from '@chaperone/contracts';
import type { IngressConfig } from '../tokens';
import { ApprovalClient, ApprovalUnavailable } from './approval-client';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const subjects = busSubjects(`apprcli-int-${randomUUID().slice(0, 8)}`);
const CALL_TIMEOUT_MS = 15_000;

describe('approval client: an open the approval service took and never answered (real NATS)', () => {
  jest.setTimeout(20_000);
  let nc: NatsConnection;
  let replica: NatsConnection;

  beforeAll(async () => {
    nc = await connect({ servers, name: 'apprcli-int' });
    // An approval replica that takes every open and dies before answering.
    replica = await connect({ servers, name: 'silent-approval-replica' });
    replica.subscribe(subjects.approvalOpen, { queue: subjects.queue('approval'), callback: () => undefined });
    await replica.flush();
  });
  afterAll(async () => {
    await replica.close();
    await nc.close();
  });

  it('fails within its own short timeout, saying the service took it, not after the timeout of the other calls', async () => {
    const client = new ApprovalClient(nc, { approvalOpenTimeoutMs: 1000, approvalTimeoutMs: CALL_TIMEOUT_MS } as IngressConfig, subjects);
    const started = Date.now();
    const opening = client.open({ schemaVersion: 1, requestId: 'r1' } as OpenApproval);
    await expect(opening).rejects.toThrow(ApprovalUnavailable);
    await expect(opening).rejects.toThrow('the approval service took the request but did not answer within 1000 ms');
    expect(Date.now() - started).toBeLessThan(CALL_TIMEOUT_MS / 3);
  });

  it('says so at once when no approval replica runs', async () => {
    const client = new ApprovalClient(nc, { approvalOpenTimeoutMs: 1000, approvalTimeoutMs: CALL_TIMEOUT_MS } as IngressConfig, busSubjects(`apprcli-none-${randomUUID().slice(0, 8)}`));
    await expect(client.open({ schemaVersion: 1, requestId: 'r2' } as OpenApproval)).rejects.toThrow('no approval service is running');
  });
});
