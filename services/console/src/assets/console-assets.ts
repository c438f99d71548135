import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { StartupError } from '@chaperone/service-runtime';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface Asset {
  body: Buffer;
  type: string;
}

/**
 * The built console, read once at start: a few hundred kilobytes, served from memory, so a replica
 * needs no volume and a missing build stops the service at start rather than at the first visit.
 */
export class ConsoleAssets {
  private constructor(
    readonly index: Asset,
    private readonly files: ReadonlyMap<string, Asset>,
  ) {}

  static load(dir: string): ConsoleAssets {
    const indexFile = join(dir, 'index.html');
    if (!existsSync(indexFile)) {
      throw new StartupError(`CHAPERONE_CONSOLE_ASSETS_DIR: ${dir} has no index.html; build the console first (npx nx run @chaperone/console-ui:build)`);
    }
    const files = new Map<string, Asset>();
    const walk = (d: string): void => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else files.set(`/${relative(dir, p).split('\\').join('/')}`, { body: readFileSync(p), type: TYPES[extname(p)] ?? 'application/octet-stream' });
      }
    };
    walk(dir);
    return new ConsoleAssets(files.get('/index.html') as Asset, files);
  }

  /** A built file by its URL path (exact match only: no path is ever joined onto the directory). */
  get(path: string): Asset | undefined {
    return this.files.get(path);
  }
}
