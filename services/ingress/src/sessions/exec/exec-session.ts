import { StringDecoder } from 'node:string_decoder';
import type { SessionEnding } from '@chaperone/contracts';
import type { MaskingStream } from '../../context/request-context';
import { Channel } from '../channels/channel-protocol';
import { endStatus, exitStatusOf, terminalSizeOf, type ExitStatus } from '../channels/exit-status';
import type { CastRecorder } from '../recording/cast-recorder';
import { TypedLines } from '../recording/typed-lines';
import type { SessionHandler } from '../relay/session-handler';
import { encodeFrame, Opcode, TO_AGENT } from '../websocket/frame-codec';
import type { Message } from '../websocket/message-assembler';
import { MaskedOutput, type MaskedOutputOptions } from './masked-output';

export interface ExecSessionOptions {
  tty: boolean;
  /** The masking service's streams for stdout and stderr; undefined when output passes unmasked. */
  masking: { stdout: MaskingStream; stderr: MaskingStream } | undefined;
  output: MaskedOutputOptions;
  recorder: CastRecorder;
  /** Sends whole frames to the agent, in order with the relay's own. */
  send(frames: Buffer): Promise<void>;
  typedLimits: { maxLines: number; maxChars: number };
}

const ENDINGS: Readonly<Record<SessionEnding, string>> = Object.freeze({
  'client-gone': 'the client left',
  'upstream-gone': 'the cluster closed the session',
  'idle-timeout': 'chaperone ended the session: nothing was sent either way for too long (CHAPERONE_EXEC_IDLE_TIMEOUT_SECONDS)',
  'max-duration': 'chaperone ended the session: it reached its maximum duration (CHAPERONE_EXEC_MAX_DURATION_SECONDS)',
  'masking-unavailable': 'chaperone ended the session: its output could not be masked, so it was cut',
});

/**
 * An exec or attach session over the channel protocol (v4, v5): stdin and resizes from the agent
 * are recorded (and, with a terminal, rebuilt into command lines); stdout and stderr are masked by
 * the masking service when the session has no unmasked rule, and recorded masked in any case; the
 * status channel gives the exit code, and is relayed only after the output before it.
 */
export class ExecSession implements SessionHandler {
  bytesFromAgent = 0;
  bytesToAgent = 0;
  exit: ExitStatus | undefined;
  readonly typed: TypedLines | undefined;
  private readonly keys = new StringDecoder('utf8');
  private readonly out: { stdout: MaskedOutput; stderr: MaskedOutput } | undefined;

  constructor(private readonly opts: ExecSessionOptions) {
    this.typed = opts.tty ? new TypedLines(opts.typedLimits) : undefined;
    const m = opts.masking;
    this.out = m && {
      stdout: new MaskedOutput(m.stdout, (b) => this.emit(Channel.stdout, b), opts.output),
      stderr: new MaskedOutput(m.stderr, (b) => this.emit(Channel.stderr, b), opts.output),
    };
  }

  fromAgent(m: Message): void {
    this.bytesFromAgent += m.payload.length;
    if (m.opcode !== Opcode.binary || m.payload.length === 0) return;
    const data = m.payload.subarray(1);
    switch (m.payload[0]) {
      case Channel.stdin:
        this.opts.recorder.input(data);
        this.typed?.push(this.keys.write(data));
        return;
      case Channel.resize: {
        const size = terminalSizeOf(data);
        if (size) this.opts.recorder.resize(size.width, size.height);
        return;
      }
      default:
        return;
    }
  }

  async fromCluster(m: Message): Promise<boolean> {
    // The channel protocols the relay speaks are binary: a text message carries nothing for the agent.
    if (m.opcode !== Opcode.binary || m.payload.length === 0) return this.out !== undefined;
    const channel = m.payload[0];
    const data = m.payload.subarray(1);
    if (channel === Channel.stdout || channel === Channel.stderr) {
      const stream = channel === Channel.stdout ? 'stdout' : 'stderr';
      if (this.out) {
        await this.out[stream].push(data);
        return true;
      }
      this.opts.recorder.output(stream, data);
    } else if (channel === Channel.status) {
      await this.flush();
      this.exit = exitStatusOf(data);
    }
    this.bytesToAgent += m.payload.length;
    return false;
  }

  async flush(): Promise<void> {
    if (this.out) await Promise.all([this.out.stdout.flush(), this.out.stderr.flush()]);
  }

  endNotice(ending: SessionEnding): Buffer | undefined {
    return Buffer.concat([Buffer.of(Channel.status), endStatus(ENDINGS[ending])]);
  }

  /** End the masking streams: what they masked, or undefined when they could not finish (the session was cut). */
  async endMasking(): Promise<{ stdout: MaskingStream['report']; stderr: MaskingStream['report'] } | undefined> {
    if (!this.out) return undefined;
    try {
      const [stdout, stderr] = await Promise.all([this.out.stdout.end(), this.out.stderr.end()]);
      return { stdout, stderr };
    } catch {
      this.out.stdout.abandon();
      this.out.stderr.abandon();
      return undefined;
    }
  }

  private emit(channel: number, masked: Buffer): Promise<void> {
    this.opts.recorder.output(channel === Channel.stdout ? 'stdout' : 'stderr', masked);
    this.bytesToAgent += masked.length + 1;
    return this.opts.send(encodeFrame(Opcode.binary, Buffer.concat([Buffer.of(channel), masked]), TO_AGENT));
  }
}
