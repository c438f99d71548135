import { performance } from 'node:perf_hooks';
import { sha256Digest } from '@chaperone/blob-store';
import { SESSION_EVENT_LIMITS, type ChaperoneEvent, type MaskReport } from '@chaperone/contracts';
import { mergeReports } from '@chaperone/masking';
import type { Forwarded, MaskingStream } from '../../context/request-context';
import { newEvent, systemClock } from '../../events/event-factory';
import { asciicast } from '../recording/asciicast';
import { CastRecorder } from '../recording/cast-recorder';
import { maskCommands } from '../recording/mask-commands';
import { recordingProfile } from '../recording/recording-profile';
import { SessionRelay, type RelaySides } from '../relay/session-relay';
import type { SessionDeps } from '../session-deps';
import type { SessionRequest } from '../session-request';
import { ExecSession } from './exec-session';

/**
 * Runs an exec or attach session from the cluster's 101 to its end, then stores its evidence: the
 * masked asciicast in the blob store (in the background, spooled if the store is down), then
 * MaskingApplied (when output was masked), ExecSessionRecorded and the RequestCompleted, in order.
 */
export async function runExecSession(
  ctx: Forwarded,
  session: { request: SessionRequest; protocol: string; sides: RelaySides; stderr: MaskingStream | undefined },
  deps: SessionDeps,
): Promise<void> {
  const { request } = session;
  const startedAt = systemClock.now();
  const t0 = performance.now();
  const masking = ctx.masking && session.stderr ? { stdout: ctx.masking.stream, stderr: session.stderr } : undefined;
  const profile = recordingProfile(ctx.decision.maskProfile);
  const recorder = new CastRecorder(profile.profile, { capBytes: deps.recordingMaxBytes, now: () => performance.now() - t0 });
  const relay = new SessionRelay(session.sides, deps.limits);
  const handler = new ExecSession({
    tty: request.tty,
    masking,
    output: deps.output,
    recorder,
    send: (frames) => relay.toAgent(frames),
    typedLimits: { maxLines: SESSION_EVENT_LIMITS.lines, maxChars: SESSION_EVENT_LIMITS.lineChars },
  });
  const ending = await relay.run(handler);
  const served = await handler.endMasking();
  const durationMs = Math.round((performance.now() - t0) * 1000) / 1000;

  const cast = recorder.finish();
  const typed = handler.typed?.result();
  const commands = maskCommands(profile.profile, request.command, typed?.lines ?? []);
  const subject = {
    subresource: request.kind === 'attach' ? ('attach' as const) : ('exec' as const),
    pod: request.pod,
    namespace: request.namespace,
    container: request.container,
    agent: ctx.refs.identity.agent,
    sessionId: ctx.refs.sessionId,
    requestId: ctx.requestId,
    command: commands.command,
    tty: request.tty,
  };
  const file = asciicast({ subject, startedAt, size: recorder.firstSize, events: cast.events, truncated: cast.truncated });
  const digest = sha256Digest(file);
  deps.recorder.save(ctx.refs, [{ which: 'session', body: { recorded: { digest, size: file.length, stored: { digest, size: file.length, truncated: false } }, kept: file } }], (deferred) =>
    deps.evidence.inBackground(...deferred),
  );

  const masked: MaskReport = mergeReports(cast.report, commands.report);
  const events: ChaperoneEvent[] = [];
  if (masking && ctx.masking) {
    const report = mergeReports(...[served?.stdout, served?.stderr].filter((r): r is MaskReport => r !== undefined));
    events.push(newEvent.maskingApplied(systemClock, ctx.refs, { mode: 'lines', profile: ctx.masking.profile, count: report.count, paths: report.paths.slice(0, 200), detectors: report.detectors }));
  }
  events.push(
    newEvent.execSessionRecorded(systemClock, ctx.refs, {
      subresource: subject.subresource,
      pod: request.pod,
      namespace: request.namespace,
      container: request.container,
      protocol: session.protocol,
      tty: request.tty,
      stdin: request.stdin,
      command: commands.command,
      ...(typed ? { typedCommands: { bestEffort: true as const, lines: commands.typed, truncated: typed.truncated } } : {}),
      ended: ending,
      ...(handler.exit?.exitCode !== undefined ? { exitCode: handler.exit.exitCode } : {}),
      ...(handler.exit?.failure !== undefined ? { failure: maskCommands(profile.profile, [], [handler.exit.failure]).typed[0] ?? '' } : {}),
      bytesFromAgent: handler.bytesFromAgent,
      bytesToAgent: handler.bytesToAgent,
      durationMs,
      outputMasked: masking !== undefined,
      recording: { format: 'asciicast-v2', digest, size: file.length, truncated: cast.truncated },
      masked: { count: masked.count, detectors: masked.detectors },
    }),
  );
  deps.evidence.inBackground(...events);
  ctx.response.bytesOut = handler.bytesToAgent;
  deps.complete.atEnd(ctx);
}
