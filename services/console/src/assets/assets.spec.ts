import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartupError } from '@chaperone/service-runtime';
import { contentSecurityPolicy } from './assets.controller';
import { ConsoleAssets } from './console-assets';

describe('console assets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-assets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops the service at start when the console was not built', () => {
    expect(() => ConsoleAssets.load(join(dir, 'missing'))).toThrow(StartupError);
  });

  it('serves built files by exact path only', () => {
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    writeFileSync(join(dir, 'assets', 'index-1.js'), 'x');
    const assets = ConsoleAssets.load(dir);
    expect(assets.get('/assets/index-1.js')?.type).toBe('text/javascript; charset=utf-8');
    expect(assets.get('/assets/../index.html')).toBeUndefined();
    expect(assets.index.body.toString()).toBe('<!doctype html>');
  });

  it('lets the page talk to itself and the token endpoint only', () => {
    const csp = contentSecurityPolicy('https://idp.example.com/oauth2/token');
    expect(csp).toContain("connect-src 'self' https://idp.example.com;");
    // Scripts from the console only; WebAssembly (the recording player) may compile, JavaScript eval may not.
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(contentSecurityPolicy(undefined)).toContain("connect-src 'self';");
  });
});
