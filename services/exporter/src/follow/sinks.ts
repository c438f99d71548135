import { readFileSync } from 'node:fs';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EventStore } from '@chaperone/event-store';
import { Metrics, Readiness, StartupError } from '@chaperone/service-runtime';
import type { ExporterConfig, SinkSpec } from '../config';
import { FileTransport } from '../delivery/file-transport';
import type { Transport } from '../delivery/transport';
import { WebhookTransport } from '../delivery/webhook-transport';
import { auditEventList, toAuditEvent, type AuditEvent } from '../formats/k8s-audit-event';
import { toOcsfApiActivity } from '../formats/ocsf-api-activity';
import type { ExportRecord } from '../join/request-joiner';
import { CHECKPOINTS, EVENT_STORE, EXPORTER_CONFIG } from '../tokens';
import type { CheckpointStore } from './checkpoint-store';
import { SinkFollower } from './sink-follower';
import { registerSinkMetrics } from './sink-metrics';

const FORMATS: Record<SinkSpec['format'], (r: ExportRecord) => unknown> = {
  'k8s-audit': toAuditEvent,
  ocsf: (r) => toOcsfApiActivity(r),
};

/** The webhook body per format: the API server's audit webhook backend posts an EventList. */
const WEBHOOK_BODIES: Record<SinkSpec['format'], (records: readonly unknown[]) => unknown> = {
  'k8s-audit': (records) => auditEventList(records as AuditEvent[]),
  ocsf: (records) => records,
};

function readToken(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new StartupError(`CHAPERONE_EXPORT_WEBHOOK_TOKEN_FILE: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Every configured sink, each its own follower of the evidence store; started with the service, stopped with it. */
@Injectable()
export class Sinks implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Exporter');
  private readonly followers: SinkFollower[] = [];
  private readonly transports: Transport[] = [];

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CHECKPOINTS) private readonly checkpoints: CheckpointStore,
    @Inject(EXPORTER_CONFIG) private readonly config: ExporterConfig,
    readiness: Readiness,
    metrics: Metrics,
  ) {
    registerSinkMetrics(metrics.meter, store, () => this.followers.map((f) => f.status));
    readiness.add('sinks', () => {
      return {
        // Ready means started; a failing sink is reported, not a reason to restart the exporter.
        ok: this.followers.length === this.config.sinks.length,
        detail: this.followers.map((f) => `${f.status.name}: through ${f.status.deliveredThrough}${f.status.consecutiveFailures ? `, failing (${f.status.lastError})` : ''}`).join('; '),
      };
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const token = readToken(this.config.webhookTokenFile);
    for (const spec of this.config.sinks) {
      const transport: Transport =
        spec.transport === 'file'
          ? await FileTransport.open(spec.target)
          : new WebhookTransport({ url: spec.target, body: WEBHOOK_BODIES[spec.format], timeoutMs: this.config.webhookTimeoutMs, ...(token ? { bearerToken: token } : {}) });
      this.transports.push(transport);
      const follower = new SinkFollower(this.store, this.checkpoints, {
        name: spec.name,
        transport,
        format: FORMATS[spec.format],
        batchSize: this.config.batchSize,
        pollMs: this.config.pollMs,
        pendingMaxAgeMs: this.config.pendingMaxAgeSeconds * 1000,
        backoff: { initialMs: 250, maxMs: this.config.backoffMaxMs },
        logger: this.logger,
      });
      this.followers.push(follower);
      follower.start();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.followers.map((f) => f.stop()));
    await Promise.all(this.transports.map((t) => t.close()));
    await this.store.close();
  }
}
