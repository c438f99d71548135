import { Controller, Get, Inject, Req, Res, type OnApplicationShutdown } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { NatsConnection, Subscription } from 'nats';
import type { UpDownCounter } from '@opentelemetry/api';
import { AuthenticationError, type Authenticator } from '@chaperone/auth';
import type { BusSubjects } from '@chaperone/contracts';
import { kubeStatus } from '@chaperone/k8s-status';
import { BUS, Metrics, NATS_CONNECTION } from '@chaperone/service-runtime';
import { AUTHENTICATOR } from '../tokens';

const HEARTBEAT_MS = 15_000;
/** Changes within this window reach a browser as one event: a bulk approval is one refresh, not fifty. */
const COALESCE_MS = 100;

/**
 * Live approval updates for the inbox, as server-sent events. Each replica listens to the bus's
 * `approval.changed` hints (core NATS, no queue group: every replica sees every change) and tells
 * its browsers "something changed"; the page then reads the list through the approvers API with its
 * own token. So the stream carries no approval data at all, and what a user sees is still decided
 * by the approvers API alone.
 */
@Controller('api/live')
export class ApprovalEventsController implements OnApplicationShutdown {
  private readonly clients = new Set<Response>();
  private readonly sub: Subscription;
  private readonly streams: UpDownCounter;
  private pending: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(BUS) subjects: BusSubjects,
    @Inject(Metrics) metrics: Metrics,
  ) {
    this.streams = metrics.meter.createUpDownCounter('chaperone.console.live.streams', { description: 'Browsers following live approval changes' });
    this.sub = nc.subscribe(subjects.approvalChangedAll, { callback: () => this.changed() });
    this.heartbeat = setInterval(() => this.send(': keep-alive\n\n'), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  @Get('approvals')
  async follow(@Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      await this.authenticator.authenticate(req.headers.authorization);
    } catch (e) {
      const s = kubeStatus('Unauthorized', `live updates need a valid bearer token: ${e instanceof AuthenticationError ? e.message : 'the token could not be verified'}`);
      res.status(s.code).json(s);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('event: ready\ndata: {}\n\n');
    this.clients.add(res);
    this.streams.add(1);
    req.on('close', () => {
      if (this.clients.delete(res)) this.streams.add(-1);
    });
  }

  onApplicationShutdown(): void {
    clearInterval(this.heartbeat);
    if (this.pending) clearTimeout(this.pending);
    this.sub.unsubscribe();
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  private changed(): void {
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      this.send('event: changed\ndata: {}\n\n');
    }, COALESCE_MS);
  }

  private send(frame: string): void {
    for (const c of this.clients) c.write(frame);
  }
}
