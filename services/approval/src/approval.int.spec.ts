import type { INestApplication } from '@nestjs/common';
import { connect, type NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';
import { busSubjects, HealthReplySchema } from '@chaperone/contracts';
import { bootstrapService } from '@chaperone/service-runtime';
import { ApprovalModule } from './approval.module';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const subjects = busSubjects(`approval-int-${randomUUID().slice(0, 8)}`);

describe('approval service (real NATS)', () => {
  let app: INestApplication;
  let nc: NatsConnection;
  let base: string;

  beforeAll(async () => {
    app = await bootstrapService({
      service: 'approval',
      module: ApprovalModule.forRoot({ service: 'approval', natsServers: servers, busPrefix: subjects.prefix }),
      healthHost: '127.0.0.1',
      healthPort: 0,
      jsonLogs: true,
      quiet: true,
      messaging: { servers, queue: subjects.queue('approval') },
    });
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    nc = await connect({ servers });
  });

  afterAll(async () => {
    await nc.drain();
    await app.close();
  });

  it('answers liveness and readiness over HTTP once connected to the bus', async () => {
    const live = await fetch(`${base}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ service: 'approval', status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { nats: { ok: true } } });
  });

  it('answers a health ping on its NATS subject', async () => {
    const msg = await nc.request(subjects.health('approval'), new Uint8Array(), { timeout: 2000 });
    const reply = HealthReplySchema.parse(JSON.parse(new TextDecoder().decode(msg.data)));
    expect(reply).toMatchObject({ service: 'approval', status: 'ok' });
  });
});
