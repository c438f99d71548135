import { ConfigError } from '@chaperone/config';
import { StartupError } from './startup-error';

/**
 * Run a service's main. A configuration or startup error stops the process with exit code 2 and
 * its message (which names the key or file line), not a stack trace.
 */
export function runMain(main: () => Promise<unknown>): void {
  main().catch((err: unknown) => {
    if (err instanceof ConfigError || err instanceof StartupError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
