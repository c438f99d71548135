/// <reference types="jest" />
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { busSubjects, HealthReplySchema, type BusSubjects, type ServiceName } from '@chaperone/contracts';
import { bootstrapService } from '../bootstrap';
import type { RuntimeOptions } from '../runtime.module';

/**
 * What every service must do from its first day: start against the real NATS, join its queue
 * group, answer /healthz and /readyz, and answer health pings on its subject. Written once, run by
 * each service's own test.
 */
export function serviceHealthContract(
  service: ServiceName,
  moduleFor: (runtime: RuntimeOptions) => DynamicModule,
  /** Deletes what the service created under the test's prefix (streams), after it stopped. */
  cleanup?: (nc: NatsConnection, subjects: BusSubjects) => Promise<void>,
): void {
  const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
  const subjects = busSubjects(`${service}-int-${randomUUID().slice(0, 8)}`);

  describe(`${service} service health (real NATS)`, () => {
    let app: INestApplication;
    let nc: NatsConnection;
    let base: string;

    beforeAll(async () => {
      app = await bootstrapService({
        service,
        module: moduleFor({ service, natsServers: servers, busPrefix: subjects.prefix }),
        healthHost: '127.0.0.1',
        healthPort: 0,
        jsonLogs: true,
        quiet: true,
        messaging: { servers, queue: subjects.queue(service) },
      });
      base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      nc = await connect({ servers });
    });

    afterAll(async () => {
      await app.close();
      await cleanup?.(nc, subjects);
      await nc.drain();
    });

    it('answers liveness and readiness over HTTP once connected to the bus', async () => {
      const live = await fetch(`${base}/healthz`);
      expect(live.status).toBe(200);
      expect(await live.json()).toMatchObject({ service, status: 'ok' });
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, checks: { nats: { ok: true } } });
    });

    it('answers a health ping on its NATS subject', async () => {
      const msg = await nc.request(subjects.health(service), new Uint8Array(), { timeout: 2000 });
      const reply = HealthReplySchema.parse(JSON.parse(new TextDecoder().decode(msg.data)));
      expect(reply).toMatchObject({ service, status: 'ok' });
    });

    it('serves Prometheus metrics on the health port, the NATS connection among them', async () => {
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/^chaperone_nats_connection_status\{[^}]*\} 1$/m);
      expect(text).toMatch(new RegExp(`^target_info\\{[^}]*service_name="${service}"`, 'm'));
      expect(text).toMatch(/^process_cpu_time_total\{/m);
    });
  });
}
