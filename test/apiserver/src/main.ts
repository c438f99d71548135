#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { startTestApiServer, TestApiServerOptions } from './index';

/**
 * CLI: `node test/apiserver/dist/main.js --port 6443 [--host H] [--token T] [--tls-cert F --tls-key F] [--no-seed]`.
 * Starts the in-memory Kubernetes API server test double as a clearly labelled demo cluster.
 */
function parseArgs(argv: string[]): TestApiServerOptions {
  const opts: TestApiServerOptions = { port: 6443 };
  let cert: string | undefined;
  let key: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a ?? ''} needs a value`);
      return v;
    };
    if (a === '--port') opts.port = Number(next());
    else if (a === '--host') opts.host = next();
    else if (a === '--token') opts.bearerToken = next();
    else if (a === '--tls-cert') cert = readFileSync(next(), 'utf8');
    else if (a === '--tls-key') key = readFileSync(next(), 'utf8');
    else if (a === '--no-seed') opts.seed = false;
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: main.js [--port 6443] [--host 127.0.0.1] [--token T] [--tls-cert F --tls-key F] [--no-seed]\n');
      process.exit(0);
    } else throw new Error(`unknown argument: ${a ?? ''}`);
  }
  if (cert && key) opts.tls = { cert, key };
  return opts;
}

async function main(): Promise<void> {
  const server = await startTestApiServer(parseArgs(process.argv.slice(2)));
  process.stdout.write(
    `DEMO Kubernetes API server (in-memory test double, NOT a real cluster) listening on ${server.url}\n`,
  );
  const shutdown = () => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`test-apiserver: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
