import { followLine } from '../handlers/logs';
import { runInContainer, ProcessIO } from '../runtime/container-process';
import { ContainerInfo, EXIT_INTERRUPTED, sleep } from '../runtime/process';

/**
 * What `kubectl attach` reaches: the container's main process. Asked for stdin, it is an
 * interactive shell (as a busybox container started with `stdin: true`); otherwise it is the
 * application writing its log, a line per interval, with a secret every fifth line like `logs -f`.
 * The fake main process lives as long as the attach session.
 */
export async function attachToMainProcess(container: ContainerInfo, io: ProcessIO, stdinRequested: boolean, intervalMs: number): Promise<number> {
  if (stdinRequested) return runInContainer(container, ['sh'], io);
  for (let n = 1; ; n++) {
    if (!(await sleep(intervalMs, io.signal))) return EXIT_INTERRUPTED;
    await io.stdout?.write(`${followLine(n, container.container)}\n`);
  }
}
