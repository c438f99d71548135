import { InputReader, NO_INPUT } from './byte-queue';
import { containerEnvironment } from './environment';
import { DISCARD, ExecutableNotFound, OutputStream, ContainerInfo, TerminalControl } from './process';
import { findProgram } from './programs';

/**
 * Starts a process in a fake container, as the container runtime does for `exec`: the first
 * argument must name a program on the PATH, else the runtime refuses to start it
 * (ExecutableNotFound) and nothing runs.
 */
export interface ProcessIO {
  stdin?: InputReader;
  stdout?: OutputStream;
  stderr?: OutputStream;
  terminal?: TerminalControl;
  signal: AbortSignal;
}

export function runInContainer(container: ContainerInfo, argv: string[], io: ProcessIO): Promise<number> {
  const name = argv[0] ?? '';
  const program = findProgram(name);
  if (!program) return Promise.reject(new ExecutableNotFound(name));
  return program({
    argv,
    stdin: io.stdin ?? NO_INPUT,
    stdout: io.stdout ?? DISCARD,
    stderr: io.stderr ?? DISCARD,
    env: containerEnvironment(container, io.terminal !== undefined),
    container,
    cwd: '/',
    ...(io.terminal ? { terminal: io.terminal } : {}),
    lookup: findProgram,
    signal: io.signal,
  });
}
