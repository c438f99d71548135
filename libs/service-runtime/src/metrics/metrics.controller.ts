import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Metrics } from './metrics';

/** Prometheus scrapes here (text exposition format), on the health port next to /healthz. */
@Controller()
export class MetricsController {
  constructor(@Inject(Metrics) private readonly metrics: Metrics) {}

  @Get('metrics')
  scrape(@Req() req: Request, @Res() res: Response): void {
    this.metrics.serve(req, res);
  }
}
