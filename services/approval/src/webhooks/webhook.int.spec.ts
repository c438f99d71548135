import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type NatsConnection } from 'nats';
import { OpenApprovalReplySchema, type BusSubjects } from '@chaperone/contracts';
import { ApprovalLifecycle } from '../lifecycle/approval-lifecycle';
import { GatewayBus, NATS_SERVERS, deleteApprovalStreams, openDelete, startReplica, testSubjects, type TestReplica } from '../testing/approval-test-kit';

interface Received {
  status: number;
  body: { text: string; blocks: { type: string; elements?: { url?: string }[] }[] };
}

/** A webhook receiver that fails the first `failFirst` posts of each message (503), then accepts. */
async function receiver(failFirst: number): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const n = (attempts.get(data) ?? 0) + 1;
      attempts.set(data, n);
      const status = n <= failFirst ? 503 : 200;
      received.push({ status, body: JSON.parse(data) as Received['body'] });
      res.writeHead(status).end(status === 200 ? 'ok' : 'try later');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000`, received };
}

async function eventually(check: () => void, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return check();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('webhook notifications (real NATS, a local HTTP receiver)', () => {
  let subjects: BusSubjects;
  let nc: NatsConnection;
  let bus: GatewayBus;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let replicas: TestReplica[] = [];

  beforeAll(async () => {
    subjects = testSubjects();
    nc = await connect({ servers: NATS_SERVERS });
    bus = new GatewayBus();
    hook = await receiver(2);
    const webhook = { url: hook.url, attempts: 5, firstBackoffMs: 50 };
    const publicUrl = 'https://approvals.example.com';
    replicas = [await startReplica(subjects, { webhook, publicUrl }), await startReplica(subjects, { webhook, publicUrl })];
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await bus.close();
    await deleteApprovalStreams(nc, subjects);
    await nc.drain();
    hook.server.close();
  });

  it('posts a Slack-compatible message on request and on decision, retried with backoff, delivered once with two replicas', async () => {
    const reply = OpenApprovalReplySchema.parse(await bus.send(subjects.approvalOpen, openDelete('web-0')));
    if (reply.outcome !== 'pending') throw new Error(`unexpected ${reply.outcome}`);
    const link = `https://approvals.example.com/approvals/${reply.approvalId}`;
    await eventually(() => expect(hook.received.filter((r) => r.status === 200)).toHaveLength(1));
    const requested = hook.received.filter((r) => r.status === 200)[0]?.body;
    expect(requested?.text).toContain(`<${link}|approval ${reply.approvalId}>`);
    expect(requested?.text).toMatch(/Approval requested: \*delete pods\/web-0 in shop\* by agent \*claude\*/);
    expect(requested?.blocks.map((b) => b.type)).toEqual(['section', 'context', 'actions']);
    expect(requested?.blocks[2]?.elements?.[0]?.url).toBe(link);

    await replicas[1]?.app.get(ApprovalLifecycle).run({
      type: 'Approve',
      data: { approvalId: reply.approvalId, approver: { subject: 'oidc|alice', username: 'alice', groups: ['sre'] }, reason: 'fine <b>' },
    });
    await eventually(() => expect(hook.received.filter((r) => r.status === 200)).toHaveLength(2));
    const granted = hook.received.filter((r) => r.status === 200)[1]?.body;
    expect(granted?.text).toMatch(/Approved by \*alice\*/);
    expect(JSON.stringify(granted?.blocks)).toContain('fine &lt;b&gt;'); // Slack control characters escaped

    // Give a (wrong) second sender time to show up: each event was attempted 3 times (2 failures), by one replica.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(hook.received.map((r) => r.status)).toEqual([503, 503, 200, 503, 503, 200]);
  });
});
