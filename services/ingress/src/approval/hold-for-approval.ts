import { Injectable } from '@nestjs/common';
import { isUpgradeRequest } from '@chaperone/k8s-request';
import { clientConnection } from '../context/exchange';
import type { Cleared, Planned } from '../context/request-context';
import { GatewayFailure } from '../errors/gateway-errors';
import { ApprovalGate } from './approval-gate';

/**
 * Stage 5: a request the policy sends to a human waits here (hold) or is answered with a ticket;
 * only a claimed grant gets past. Everything else passes straight through.
 */
@Injectable()
export class HoldForApproval {
  constructor(private readonly gate: ApprovalGate) {}

  async run(ctx: Planned): Promise<Cleared> {
    if (ctx.decision.effect !== 'approve') return { ...ctx, stage: 'cleared', approvalId: undefined, body: undefined };
    const { exchange } = ctx;
    if (exchange.kind === 'upgrade' && !isWebSocket(exchange.req.headers)) {
      // kubectl's SPDY retry after a refused WebSocket: tell it what happened to the approval.
      const remembered = this.gate.recentRefusals.recall(this.gate.upgradeFingerprint(ctx));
      throw new GatewayFailure(
        remembered ?? { kind: 'approval-refused', message: 'this request needs human approval, which chaperone can hold only for WebSocket upgrades (kubectl 1.30+)' },
      );
    }
    const gone = new AbortController();
    const onClose = () => gone.abort();
    const conn = clientConnection(exchange);
    conn.on('close', onClose);
    try {
      const approved = await this.gate.pass(ctx, gone.signal);
      return { ...ctx, stage: 'cleared', approvalId: approved.approvalId, body: exchange.kind === 'http' ? approved.body : undefined };
    } finally {
      conn.off('close', onClose);
    }
  }
}

export function isWebSocket(headers: Parameters<typeof isUpgradeRequest>[0]): boolean {
  return isUpgradeRequest(headers) && String(headers.upgrade ?? '').toLowerCase() === 'websocket';
}
