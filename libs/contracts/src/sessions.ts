import { z } from 'zod';

/**
 * Streaming sessions (pods/exec, pods/attach, pods/portforward) as the gateway recorded them.
 * The bytes of an exec or attach session are an asciicast v2 file in the blob store, always
 * masked by the detectors; the event names it by digest, so the hash chain covers it.
 */

/** Why a session ended: which side left first, or which of the gateway's limits ended it. */
export const SessionEndings = Object.freeze([
  'client-gone', // the agent closed (or lost) its connection first
  'upstream-gone', // the cluster closed first (the command exited, the pod went away)
  'idle-timeout', // nothing passed either way for CHAPERONE_EXEC_IDLE_TIMEOUT_SECONDS
  'max-duration', // the session reached CHAPERONE_EXEC_MAX_DURATION_SECONDS
  'masking-unavailable', // output could not be masked, so the session was cut (fail closed)
] as const);
export type SessionEnding = (typeof SessionEndings)[number];

/** Bounds that keep a session's event small (events are evidence, not data). */
export const SESSION_EVENT_LIMITS = Object.freeze({ commandArgs: 100, lines: 500, lineChars: 1000 });

const line = z.string().max(SESSION_EVENT_LIMITS.lineChars);

export const ExecSessionPayloadSchema = z.object({
  subresource: z.enum(['exec', 'attach']),
  pod: z.string(),
  namespace: z.string(),
  /** '' when the request named none (the pod's default container). */
  container: z.string(),
  /** The negotiated WebSocket subprotocol (v5.channel.k8s.io, v4.channel.k8s.io). */
  protocol: z.string(),
  tty: z.boolean(),
  stdin: z.boolean(),
  /** The `command` parameters of the exec (empty for attach), masked like any other text. */
  command: z.array(line).max(SESSION_EVENT_LIMITS.commandArgs),
  /**
   * Interactive (tty) sessions: the command lines rebuilt from what the agent typed (backspace and
   * Ctrl-U edit, Ctrl-C drops the line, cursor keys are ignored), masked. Best effort: a shell's
   * own line editing (history, completion) is not seen.
   */
  typedCommands: z.object({ bestEffort: z.literal(true), lines: z.array(line).max(SESSION_EVENT_LIMITS.lines), truncated: z.boolean() }).optional(),
  ended: z.enum(SessionEndings),
  /** The command's exit code from the status channel, when the cluster reported one. */
  exitCode: z.number().int().optional(),
  /** A failure the status channel reported without an exit code (masked, shortened). */
  failure: line.optional(),
  /** Bytes the agent sent (stdin, resizes) and was sent (stdout, stderr, status), frame payloads. */
  bytesFromAgent: z.number().int().nonnegative(),
  bytesToAgent: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
  /** True when the output reached the agent through the masking detectors (no tty, no unmasked rule). */
  outputMasked: z.boolean(),
  /** The asciicast v2 recording in the blob store (masked). `truncated`: events past the cap were dropped. */
  recording: z.object({
    format: z.literal('asciicast-v2'),
    digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
    size: z.number().int().nonnegative(),
    truncated: z.boolean(),
  }),
  /** What the detectors masked in the recording (and the event's command lines): counts, never values. */
  masked: z.object({ count: z.number().int().nonnegative(), detectors: z.record(z.string(), z.number().int().nonnegative()) }),
});

export const PortForwardPayloadSchema = z.object({
  pod: z.string(),
  namespace: z.string(),
  /** SPDY/3.1+portforward.k8s.io (kubectl) or v4.channel.k8s.io. */
  protocol: z.string(),
  /** The pod ports the agent reached (from the request, or the tunnel's stream headers). */
  ports: z.array(z.number().int().min(1).max(65535)).max(100),
  ended: z.enum(SessionEndings),
  bytesFromAgent: z.number().int().nonnegative(),
  bytesToAgent: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
});
export type ExecSessionPayload = z.infer<typeof ExecSessionPayloadSchema>;
export type PortForwardPayload = z.infer<typeof PortForwardPayloadSchema>;
