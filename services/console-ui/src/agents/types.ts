/** The reports API's agent registry view (services/reports: GET /agents). */
export interface AgentScope {
  namespaces: string[];
  verbs: string[];
  apiGroups?: string[];
  resources: string[];
}

export interface AgentDenial {
  time: string;
  requestId: string;
  sessionId: string;
  verb: string;
  resource: string;
  namespace: string;
  name: string;
  rule: string;
  reason: string;
}

export interface AgentApproval {
  approvalId: string;
  requestedAt: string;
  sessionId: string;
  verb: string;
  resource: string;
  namespace: string;
  name: string;
  rule: string;
  status: string;
  approvers: string[];
  decidedAt: string | null;
}

export interface AgentSummary {
  agent: string;
  registered: boolean;
  owner: string | null;
  purpose: string | null;
  scope: AgentScope | null;
  registeredAt: string | null;
  removedAt: string | null;
  lastSeen: string | null;
  sessions: number;
  requests: number;
  denials: number;
  approvals: number;
  recentDenials: AgentDenial[];
  recentApprovals: AgentApproval[];
}
