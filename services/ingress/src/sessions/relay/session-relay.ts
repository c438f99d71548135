import type { Duplex } from 'node:stream';
import type { SessionEnding } from '@chaperone/contracts';
import { MaskingUnavailable } from '../../masking-client/masking-client';
import { CloseCode, closePayload, encodeFrame, Opcode, TO_AGENT, TO_CLUSTER, WebSocketProtocolError } from '../websocket/frame-codec';
import type { Message } from '../websocket/message-assembler';
import { pump, type PumpEnd } from './pump';
import type { SessionHandler } from './session-handler';
import { Sink } from './sink';

export interface RelayLimits {
  /** Nothing passed either way for this long: the gateway ends the session. */
  idleMs: number;
  /** The session ends at this age, whatever it is doing. */
  maxMs: number;
  maxMessageBytes: number;
  /** Once one side has left, how long the other has to finish its close before it is cut. */
  closeGraceMs: number;
}

export interface RelaySides {
  agent: Duplex;
  /** Bytes the agent sent right behind its handshake. */
  agentHead: Buffer;
  cluster: Duplex;
  /** Bytes the cluster sent right behind its 101. */
  clusterHead: Buffer;
}

/**
 * Relays an upgraded session message by message, both ways, after the cluster's 101 (the caller
 * starts it only then). Agent messages pass unchanged (the handler observes them); cluster messages
 * may be rewritten by the handler (masked output). Each direction reads only as fast as the other
 * side drains. `run` resolves, once both connections are closed, with how the session ended: the
 * first side to close or leave, or the gateway's own idle and duration limits.
 */
export class SessionRelay {
  private readonly agent: Sink;
  private readonly cluster: Sink;
  private ending: SessionEnding | undefined;
  private handler: SessionHandler = PASS_THROUGH;
  private idle: NodeJS.Timeout | undefined;
  private grace: NodeJS.Timeout | undefined;

  constructor(
    private readonly sides: RelaySides,
    private readonly limits: RelayLimits,
  ) {
    this.agent = new Sink(sides.agent);
    this.cluster = new Sink(sides.cluster);
  }

  /** Send bytes (whole frames) to the agent, in order with what the relay sends; resolves when it can take more. */
  toAgent(bytes: Buffer): Promise<void> {
    return this.agent.write(bytes);
  }

  async run(handler: SessionHandler): Promise<SessionEnding> {
    this.handler = handler;
    const { agent, cluster } = this.sides;
    const bothClosed = Promise.all([closed(agent), closed(cluster)]);
    const max = setTimeout(() => void this.stop('max-duration'), this.limits.maxMs);
    this.touch();
    void pump(agent, this.sides.agentHead, { masked: true, maxMessageBytes: this.limits.maxMessageBytes }, (m) => this.fromAgent(m)).then((end) => this.agentLeft(end));
    void pump(cluster, this.sides.clusterHead, { masked: false, maxMessageBytes: this.limits.maxMessageBytes }, (m) => this.fromCluster(m)).then((end) => this.clusterLeft(end));
    await bothClosed;
    clearTimeout(max);
    clearTimeout(this.idle);
    clearTimeout(this.grace);
    return this.ending ?? 'client-gone';
  }

  private fromAgent(m: Message): Promise<void> {
    this.touch();
    if (m.opcode === Opcode.close) this.settle('client-gone');
    else if (m.opcode === Opcode.text || m.opcode === Opcode.binary) this.handler.fromAgent(m);
    return this.cluster.write(joined(m.frames));
  }

  private async fromCluster(m: Message): Promise<void> {
    this.touch();
    if (m.opcode === Opcode.close) {
      await this.handler.flush();
      this.settle('upstream-gone');
    } else if ((m.opcode === Opcode.text || m.opcode === Opcode.binary) && (await this.handler.fromCluster(m))) {
      return;
    }
    await this.agent.write(joined(m.frames));
  }

  private agentLeft(end: PumpEnd): void {
    if (end.kind === 'failed') {
      this.settle(end.error instanceof MaskingUnavailable ? 'masking-unavailable' : 'client-gone');
      const code = end.error instanceof WebSocketProtocolError ? end.error.code : CloseCode.internalError;
      void this.agent.write(encodeFrame(Opcode.close, closePayload(code, end.error.message.slice(0, 100)), TO_AGENT));
      this.sides.agent.end();
    }
    this.settle('client-gone');
    this.cluster.end();
    this.armGrace();
  }

  private clusterLeft(end: PumpEnd): void {
    if (end.kind === 'failed') {
      const ending = end.error instanceof MaskingUnavailable ? 'masking-unavailable' : 'upstream-gone';
      this.settle(ending);
      // Output that cannot be masked must not flow on: the command's connection is cut at once.
      this.sides.cluster.destroy();
      void this.tellAgent(ending, end.error instanceof MaskingUnavailable ? CloseCode.internalError : CloseCode.protocolError);
      return;
    }
    this.settle('upstream-gone');
    void this.handler
      .flush()
      .catch(() => undefined)
      .then(() => {
        this.agent.end();
        this.armGrace();
      });
  }

  /** The gateway ends the session itself (idle, too long): both sides are told, then cut if they linger. */
  private async stop(ending: SessionEnding): Promise<void> {
    if (this.ending) return;
    this.settle(ending);
    await this.handler.flush().catch(() => undefined);
    void this.cluster.write(encodeFrame(Opcode.close, closePayload(CloseCode.goingAway, `ended by the gateway: ${ending}`), TO_CLUSTER));
    this.cluster.end();
    await this.tellAgent(ending, CloseCode.normal);
  }

  private async tellAgent(ending: SessionEnding, code: number): Promise<void> {
    const notice = this.handler.endNotice(ending);
    if (notice) await this.agent.write(encodeFrame(Opcode.binary, notice, TO_AGENT));
    await this.agent.write(encodeFrame(Opcode.close, closePayload(code, `chaperone: ${ending}`), TO_AGENT));
    this.agent.end();
    this.armGrace();
  }

  private settle(ending: SessionEnding): void {
    this.ending ??= ending;
  }

  private touch(): void {
    clearTimeout(this.idle);
    if (this.ending) return;
    this.idle = setTimeout(() => void this.stop('idle-timeout'), this.limits.idleMs);
  }

  private armGrace(): void {
    if (this.grace) return;
    this.grace = setTimeout(() => {
      this.sides.agent.destroy();
      this.sides.cluster.destroy();
    }, this.limits.closeGraceMs);
  }
}

const PASS_THROUGH: SessionHandler = {
  fromAgent: () => undefined,
  fromCluster: () => false,
  flush: () => Promise.resolve(),
  endNotice: () => undefined,
};

function joined(frames: readonly Buffer[]): Buffer {
  return frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames);
}

function closed(socket: Duplex): Promise<void> {
  if (socket.closed || socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}
