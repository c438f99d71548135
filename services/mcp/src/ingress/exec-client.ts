import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { Headers } from '@chaperone/contracts';
import { CallCancelled, ChaperoneUnavailable } from '../errors';
import { EXEC_PROTOCOL, ExecChannels, ExecOutput, exitReportOf, type ExitReport } from './exec-stream';
import type { KubeAnswer } from './ingress-client';

/** An exec as the ingress receives it from kubectl: a WebSocket upgrade of …/pods/NAME/exec?command=…. */
export interface ExecCall {
  path: string;
  query: ReadonlyArray<readonly [string, string]>;
  /** Extra request headers (Chaperone's approval headers). */
  headers?: Record<string, string>;
}

export interface ExecOptions {
  signal?: AbortSignal;
  /** Until the session is switched: an approval hold is part of this wait. */
  handshakeTimeoutMs: number;
  /** From the switch: the command gets this long, then the session is closed. */
  runTimeoutMs: number;
  /** stdout and stderr bytes kept, both together. */
  outputBytes: number;
}

export type ExecEnded = 'exited' | 'timeout' | 'closed';

export type ExecAnswer =
  /** The upgrade was answered without a switch: a refusal (policy, approval, a missing pod), with its Status. */
  | { kind: 'refused'; answer: KubeAnswer }
  | { kind: 'ran'; requestId?: string; output: ExecOutput; exit?: ExitReport; ended: ExecEnded };

/** A refusal's body is a Status: read this much of it at most. */
const MAX_REFUSAL_BYTES = 64 * 1024;
/** After a normal close is sent on a timeout, the socket gets this long to finish before it is cut. */
const CLOSE_GRACE_MS = 2000;

/**
 * Runs one command the way kubectl exec does without -i and -t (stdout and stderr, no stdin, no
 * terminal), over the channel protocol kubectl 1.30+ speaks, to the ingress with the caller's token:
 * the ingress decides, masks, relays and records it like any kubectl exec.
 */
export function runExec(url: URL, token: string, call: ExecCall, opts: ExecOptions, tls: { caPem?: string }): Promise<ExecAnswer> {
  return new Promise<ExecAnswer>((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new CallCancelled('the tool call was cancelled'));
    const output = new ExecOutput(opts.outputBytes);
    let requestId: string | undefined;
    let exit: ExitReport | undefined;
    let timedOut = false;
    let opened = false;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    const ws = new WebSocket(url, [EXEC_PROTOCOL], {
      headers: { ...call.headers, authorization: `Bearer ${token}`, 'user-agent': 'chaperone-mcp/0.1.0' },
      ...(tls.caPem ? { ca: tls.caPem } : {}),
      // The ingress negotiates no extension (it reads every frame); nor do we.
      perMessageDeflate: false,
      followRedirects: false,
    });
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const fail = (e: Error) => {
      settle(() => reject(e));
      ws.terminate();
    };
    const onAbort = () => fail(new CallCancelled('the tool call was cancelled'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(() => fail(new ChaperoneUnavailable(`the exec session did not start within ${opts.handshakeTimeoutMs} ms`)), opts.handshakeTimeoutMs);

    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      readCapped(res)
        .then((body) => settle(() => resolve({ kind: 'refused', answer: { status: res.statusCode ?? 0, headers: res.headers, body } })))
        .catch((e: Error) => fail(new ChaperoneUnavailable(`the ingress's refusal could not be read: ${e.message}`)))
        .finally(() => ws.terminate());
    });
    ws.on('upgrade', (res: IncomingMessage) => {
      const id = res.headers[Headers.requestId];
      if (typeof id === 'string') requestId = id;
    });
    ws.on('open', () => {
      opened = true;
      clearTimeout(timer);
      if (ws.protocol !== EXEC_PROTOCOL) return fail(new ChaperoneUnavailable(`the ingress chose the subprotocol "${ws.protocol.slice(0, 60)}", not ${EXEC_PROTOCOL}`));
      timer = setTimeout(() => {
        timedOut = true;
        ws.close(1000);
        setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
      }, opts.runTimeoutMs);
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary || data.length === 0) return;
      const channel = data[0];
      const payload = data.subarray(1);
      if (channel === ExecChannels.stdout || channel === ExecChannels.stderr) output.add(channel, payload);
      else if (channel === ExecChannels.error) exit = exitReportOf(payload);
    });
    ws.on('close', () => settle(() => resolve({ kind: 'ran', ...(requestId ? { requestId } : {}), output, ...(exit ? { exit } : {}), ended: exit ? 'exited' : timedOut ? 'timeout' : 'closed' })));
    ws.on('error', (e: NodeJS.ErrnoException) => {
      // Before the switch this is the connection failing; after it, 'close' follows and says the rest.
      if (!opened) fail(new ChaperoneUnavailable(`cannot reach the ingress at ${url.origin}: ${e.code ?? e.message}`));
    });
  });
}

function readCapped(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      if (size >= MAX_REFUSAL_BYTES) return;
      chunks.push(c);
      size += c.length;
    });
    res.on('end', () => resolve(Buffer.concat(chunks).subarray(0, MAX_REFUSAL_BYTES).toString('utf8')));
    res.on('error', reject);
  });
}
