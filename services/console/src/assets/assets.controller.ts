import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ConsoleConfig } from '../config';
import { CONSOLE_CONFIG } from '../tokens';
import { ConsoleAssets } from './console-assets';

/** What the page may load and talk to: itself, and the identity provider's token endpoint. */
export function contentSecurityPolicy(tokenUrl: string | undefined): string {
  const tokenOrigin = tokenUrl ? ` ${new URL(tokenUrl).origin}` : '';
  return [
    "default-src 'self'",
    `connect-src 'self'${tokenOrigin}`,
    "img-src 'self' data: blob:",
    "style-src 'self'",
    // The recording player's terminal is WebAssembly compiled from the console's own script:
    // 'wasm-unsafe-eval' allows compiling WebAssembly, not JavaScript eval.
    "script-src 'self' 'wasm-unsafe-eval'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The console's files. Hashed assets are cached for a year; every other path is the single-page
 * app's index.html (never cached, so a new release is picked up at the next visit).
 */
@Controller()
export class AssetsController {
  private readonly csp: string;

  constructor(
    private readonly assets: ConsoleAssets,
    @Inject(CONSOLE_CONFIG) config: ConsoleConfig,
  ) {
    this.csp = contentSecurityPolicy(config.tokenUrl);
  }

  @Get(['', 'assets/*path', 'approvals', 'sessions', 'sessions/*path', 'reports', 'evidence', 'agents', 'favicon.svg'])
  serve(@Req() req: Request, @Res() res: Response): void {
    const path = req.path;
    const file = path.startsWith('/assets/') || path === '/favicon.svg' ? this.assets.get(path) : this.assets.index;
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    if (!file) {
      res.status(404).type('text/plain').send('not found');
      return;
    }
    if (file === this.assets.index) {
      res.setHeader('content-security-policy', this.csp);
      res.setHeader('x-frame-options', 'DENY');
      res.setHeader('cache-control', 'no-store');
    } else {
      res.setHeader('cache-control', 'public, max-age=31536000, immutable');
    }
    res.type(file.type).send(file.body);
  }
}
