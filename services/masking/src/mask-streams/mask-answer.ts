import type { Logger } from '@nestjs/common';
import { headers as natsHeaders, type Msg } from 'nats';
import { MaskHeaders, type MaskReport } from '@chaperone/contracts';
import { MaskingFailed } from '@chaperone/masking';

/** What a masking exchange answers: masked bytes (with `more`, `pending` and the report as they apply), or nothing and why. */
export type MaskAnswer = { output: Uint8Array; more?: boolean; pending?: number; report?: MaskReport } | { error: string };

/** Why masking failed, as the agent may read it: a MaskingFailed's message (it names no value), else a generic one. */
export function failureOf(e: unknown): string {
  return e instanceof MaskingFailed ? e.message : 'masking failed';
}

/** Answer one masking request. A closed connection (shutdown) is logged, not thrown: the ingress fails closed. */
export function answer(msg: Msg, a: MaskAnswer, logger: Logger, what: string): void {
  const h = natsHeaders();
  if ('error' in a) h.set(MaskHeaders.error, a.error);
  else {
    if (a.more) h.set(MaskHeaders.more, '1');
    if (a.more && a.pending !== undefined) h.set(MaskHeaders.pending, String(a.pending));
    if (a.report) h.set(MaskHeaders.report, JSON.stringify(a.report));
  }
  try {
    msg.respond('error' in a ? new Uint8Array() : a.output, { headers: h });
  } catch (e) {
    logger.warn(`${what}: reply not sent (${e instanceof Error ? e.message : 'error'})`);
  }
}
