import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Readiness } from './readiness';
import { SERVICE_IDENTITY, type ServiceIdentity } from './tokens';

/** Liveness and readiness for orchestrators (Kubernetes probes, docker-compose healthchecks). */
@Controller()
export class HealthController {
  constructor(
    private readonly readiness: Readiness,
    @Inject(SERVICE_IDENTITY) private readonly id: ServiceIdentity,
  ) {}

  @Get('healthz')
  @HttpCode(200)
  live() {
    return { service: this.id.service, instance: this.id.instance, status: 'ok' };
  }

  @Get('readyz')
  ready(@Res() res: Response) {
    const { ready, checks } = this.readiness.evaluate();
    res.status(ready ? 200 : 503).json({ service: this.id.service, instance: this.id.instance, ready, checks });
  }
}
