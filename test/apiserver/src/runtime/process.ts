import { InputReader } from './byte-queue';

/** What a fake program sees: its arguments, standard streams, environment and container. */
export interface TerminalSize {
  width: number;
  height: number;
}

export interface OutputStream {
  /** Resolves once the client has room for more, so a fast producer follows a slow reader. */
  write(data: Buffer | string): Promise<void>;
}

export interface TerminalControl {
  /** The last size the client sent on the resize channel, if any. */
  size(): TerminalSize | undefined;
  /** Ctrl-C typed at the terminal; returns an unsubscribe function. */
  onInterrupt(fn: () => void): () => void;
}

export interface ContainerInfo {
  namespace: string;
  pod: string;
  container: string;
  image: string;
}

export interface ProcessContext {
  argv: string[];
  stdin: InputReader;
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string>;
  container: ContainerInfo;
  /** Working directory, for `ls` and `pwd`. */
  cwd: string;
  /** Present when the session has a TTY (`exec -t`). */
  terminal?: TerminalControl;
  /** Looks a program up on the container's PATH (how a shell runs commands). */
  lookup: (name: string) => Program | undefined;
  /** Aborted when the session ends, on Ctrl-C at a TTY, or when a pipe's reader exits. */
  signal: AbortSignal;
}

/** A program runs to completion and returns its exit code. */
export type Program = (ctx: ProcessContext) => Promise<number>;

/** The exit codes a shell reports for a process killed by SIGINT / SIGPIPE. */
export const EXIT_INTERRUPTED = 130;
export const EXIT_BROKEN_PIPE = 141;

/** Thrown when exec names a program the container does not have: the runtime refuses to start it. */
export class ExecutableNotFound extends Error {
  constructor(readonly executable: string) {
    super(`exec: "${executable}": executable file not found in $PATH`);
  }
}

/** Waits `ms`, or less if the signal aborts first; true when the full time passed. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** An output that drops everything (a stream the client did not ask for). */
export const DISCARD: OutputStream = { write: () => Promise.resolve() };
