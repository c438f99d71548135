import { DEFAULT_TERMINAL } from './cast-recorder';

/** Who and what a recording is of: the `chaperone` object of its header. */
export interface CastSubject {
  subresource: 'exec' | 'attach';
  pod: string;
  namespace: string;
  container: string;
  agent: string;
  sessionId: string;
  requestId: string;
  command: readonly string[];
  tty: boolean;
}

/**
 * An asciicast v2 file (https://docs.asciinema.org/manual/asciicast/v2/): a JSON header line, then
 * the event lines. `timestamp` is the session's start (Unix seconds); times in events are seconds
 * from it. The header's size is the first size the agent's terminal sent, else 80x24.
 */
export function asciicast(opts: {
  subject: CastSubject;
  startedAt: Date;
  size: { width: number; height: number } | undefined;
  events: string;
  truncated: boolean;
}): Buffer {
  const { width, height } = opts.size ?? DEFAULT_TERMINAL;
  const header = {
    version: 2,
    width,
    height,
    timestamp: Math.floor(opts.startedAt.getTime() / 1000),
    title: `${opts.subject.subresource} ${opts.subject.namespace}/${opts.subject.pod}`,
    env: opts.subject.tty && opts.subject.command[0] ? { SHELL: opts.subject.command[0] } : {},
    chaperone: { ...opts.subject, command: [...opts.subject.command], truncated: opts.truncated },
  };
  return Buffer.from(`${JSON.stringify(header)}\n${opts.events}`, 'utf8');
}
