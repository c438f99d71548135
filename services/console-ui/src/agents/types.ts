/** The reports API's agent registry view (services/reports: GET /agents), shared through the contracts. */
export type { AgentApproval, AgentDenial, AgentRequestRef, AgentScope, AgentSummary } from '@chaperone/contracts';
