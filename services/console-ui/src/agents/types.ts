/** The reports API's agent registry view (services/reports: GET /agents), shared through the contracts. */
export type { AgentApproval, AgentDenial, AgentScope, AgentSummary } from '@chaperone/contracts';
