import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { KV, NatsConnection } from 'nats';
import type { BusSubjects } from '@chaperone/contracts';
import { encodeJson } from '@chaperone/bus';
import { BUS, NATS_CONNECTION, SERVICE_IDENTITY, type ServiceIdentity } from '@chaperone/service-runtime';

/** How often this replica says it is alive: per time, never per request. */
export const HEARTBEAT_MS = 1000;
/** Keys of replicas that stopped leave the bucket after this (nobody needs them by then). */
const BUCKET_TTL_MS = 60 * 60 * 1000;

/** The bucket key of an ingress replica (KV keys allow fewer characters than instance ids). */
export const ingressReplicaKey = (instance: string) => `replica.${instance.replace(/[^-_=a-zA-Z0-9]/g, '_')}`;

/**
 * Announces this ingress replica on the bus every second (`<p>-ingress-replicas`, key
 * `replica.<id>`, value `{ replica: <instance id> }`). Every RequestIntercepted names the replica
 * holding the request (`payload.gateway`); when the announcements stop (the process died), the
 * audit service's reconciler stores RequestOutcomeUnknown for what the replica let through and
 * never completed. A failed announcement (NATS restarting) is retried at the next beat.
 */
@Injectable()
export class ReplicaHeartbeat implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Heartbeat');
  private kv: KV | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  private readonly key: string;
  private readonly value: Uint8Array;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(BUS) private readonly subjects: BusSubjects,
    @Inject(SERVICE_IDENTITY) identity: ServiceIdentity,
  ) {
    this.key = ingressReplicaKey(identity.instance);
    this.value = encodeJson({ replica: identity.instance });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.beat();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async beat(): Promise<void> {
    try {
      this.kv ??= await this.nc.jetstream().views.kv(this.subjects.ingressReplicaBucket, { history: 1, ttl: BUCKET_TTL_MS });
      await this.kv.put(this.key, this.value);
      if (this.failing) this.logger.log('announcing this replica again');
      this.failing = false;
    } catch (e) {
      if (!this.failing) this.logger.warn(`cannot announce this replica (${e instanceof Error ? e.message : String(e)}); retrying every ${HEARTBEAT_MS} ms`);
      this.failing = true;
    }
    this.timer = setTimeout(() => void this.beat(), HEARTBEAT_MS);
    this.timer.unref();
  }
}
