import { All, Controller, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Histogram } from '@opentelemetry/api';
import { kubeStatus, type KubeStatus } from '@chaperone/k8s-status';
import { DURATION_BUCKETS_SECONDS, Metrics } from '@chaperone/service-runtime';
import type { ConsoleConfig } from '../config';
import { CONSOLE_CONFIG } from '../tokens';
import { routeOf } from './routes';

/** Response headers worth passing back; everything else (cookies, server banners) stays behind. */
const PASS_BACK = ['content-type', 'content-disposition', 'cache-control'];

/**
 * The console's API: each call goes to the approvers API or the reports API with the caller's own
 * bearer token and nothing else of the browser's request (no cookies, no client identity headers),
 * so those APIs decide who may see and do what, exactly as they do for the CLI. Redirects are not
 * followed.
 */
@Controller('api')
export class ApiProxyController {
  private readonly duration: Histogram;

  constructor(
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
    @Inject(Metrics) metrics: Metrics,
  ) {
    this.duration = metrics.meter.createHistogram('chaperone.console.upstream.duration', {
      description: 'Duration of the API calls the console passes to the approvers and reports APIs',
      unit: 's',
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_SECONDS] },
    });
  }

  @All('*path')
  async pass(@Req() req: Request, @Res() res: Response): Promise<void> {
    const url = new URL(req.originalUrl, 'http://console');
    const apiPath = url.pathname.replace(/^\/api/, '');
    const route = routeOf(req.method, apiPath, url.search.slice(1));
    const fail = (s: KubeStatus): void => void res.status(s.code).setHeader('cache-control', 'no-store').json(s);
    if (!route) return fail(kubeStatus('NotFound', `the console has no API ${req.method} /api${apiPath.slice(0, 200)}`));
    const base = route.upstream === 'approval' ? this.config.approvalUrl : this.config.reportsUrl;
    const headers: Record<string, string> = { accept: req.headers.accept ?? 'application/json' };
    if (typeof req.headers.authorization === 'string') headers['authorization'] = req.headers.authorization;
    let body: string | undefined;
    if (req.method === 'POST') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.body ?? {});
    }
    const started = performance.now();
    let status = 0;
    try {
      const upstream = await fetch(new URL(route.path, base), {
        method: req.method,
        headers,
        ...(body === undefined ? {} : { body }),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.upstreamTimeoutMs),
      });
      status = upstream.status;
      if (status >= 300 && status < 400) return fail(kubeStatus('InternalError', `the ${route.upstream} API answered a redirect, which the console does not follow`));
      res.status(status);
      for (const h of PASS_BACK) {
        const v = upstream.headers.get(h);
        if (v) res.setHeader(h, v);
      }
      res.send(Buffer.from(await upstream.arrayBuffer()));
    } catch (e) {
      const timedOut = e instanceof Error && e.name === 'TimeoutError';
      status = timedOut ? 504 : 503;
      fail(
        timedOut
          ? kubeStatus('Timeout', `the ${route.upstream} API did not answer within ${this.config.upstreamTimeoutMs} ms`)
          : kubeStatus('ServiceUnavailable', `the ${route.upstream} API cannot be reached; try again shortly`),
      );
    } finally {
      this.duration.record((performance.now() - started) / 1000, { upstream: route.upstream, 'http.response.status_code': status });
    }
  }
}
