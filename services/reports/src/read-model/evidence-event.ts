import {
  AgentRegistryEventSchema,
  ApprovalLifecycleEventSchema,
  ChaperoneEventSchema,
  type AgentRegistryEvent,
  type ApprovalLifecycleEvent,
  type ChaperoneEvent,
} from '@chaperone/contracts';
import type { RecordedEvent } from '@chaperone/event-store';

/**
 * A stored event as the projections see it: typed and validated where it enters this process.
 * `request`: the evidence of one Kubernetes request (session streams, written by the audit service);
 * `approval`: an approval's lifecycle (approval streams, written by the approval service);
 * `registry`: agent registrations, changes and removals (the agent-registry stream);
 * `other`: anything the projections do not read (chain checkpoints, future event types), counted only;
 * `invalid`: a known type whose content does not match its contract, counted and named in reports.
 */
export type EvidenceEvent =
  | (Where & { kind: 'request'; event: ChaperoneEvent })
  | (Where & { kind: 'approval'; event: ApprovalLifecycleEvent })
  | (Where & { kind: 'registry'; event: AgentRegistryEvent })
  | (Where & { kind: 'other'; type: string })
  | (Where & { kind: 'invalid'; type: string });

/** Where the event sits in the store. */
interface Where {
  position: number;
  stream: string;
  eventId: string;
}

const REQUEST_TYPES: ReadonlySet<string> = new Set(ChaperoneEventSchema.options.map((o) => o.shape.type.value));
const APPROVAL_TYPES: ReadonlySet<string> = new Set(ApprovalLifecycleEventSchema.options.map((o) => o.shape.type.value));
const REGISTRY_TYPES: ReadonlySet<string> = new Set(AgentRegistryEventSchema.options.map((o) => o.shape.type.value));

/** Type and validate one stored event. Never throws: a bad event is reported, not a stopped projection. */
export function toEvidenceEvent(r: RecordedEvent): EvidenceEvent {
  const where: Where = { position: r.globalPosition, stream: r.stream, eventId: r.eventId };
  const invalid = (): EvidenceEvent => ({ ...where, kind: 'invalid', type: r.type });
  if (REQUEST_TYPES.has(r.type)) {
    // The audit service stores the whole bus event as the data.
    const parsed = ChaperoneEventSchema.safeParse(r.data);
    return parsed.success && parsed.data.type === r.type ? { ...where, kind: 'request', event: parsed.data } : invalid();
  }
  if (APPROVAL_TYPES.has(r.type)) {
    // The approval service stores `{ type, data }` as the port's type and data.
    const parsed = ApprovalLifecycleEventSchema.safeParse({ type: r.type, data: r.data });
    return parsed.success ? { ...where, kind: 'approval', event: parsed.data } : invalid();
  }
  if (REGISTRY_TYPES.has(r.type)) {
    // The policy service stores the whole registry event as the data.
    const parsed = AgentRegistryEventSchema.safeParse(r.data);
    return parsed.success && parsed.data.type === r.type ? { ...where, kind: 'registry', event: parsed.data } : invalid();
  }
  return { ...where, kind: 'other', type: r.type };
}
