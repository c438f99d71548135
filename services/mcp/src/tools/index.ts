import type { ToolRegistration } from './tool-definition';
import { approvalStatus } from './approvals/approval-status';
import { waitForApproval } from './approvals/wait-for-approval';
import { applyManifest } from './change/apply-manifest';
import { deleteResource } from './change/delete-resource';
import { rolloutRestart } from './change/rollout-restart';
import { scale } from './change/scale';
import { execCommand } from './exec/exec-command';
import { describeResource } from './read/describe-resource';
import { getLogs } from './read/get-logs';
import { getResource } from './read/get-resource';
import { listEvents } from './read/list-events';
import { listResources } from './read/list-resources';
import { explainPermissions } from './permissions/explain-permissions';

/** Every tool the MCP door offers, each in its own file, listed here once. */
export const TOOLS: readonly ToolRegistration[] = [
  listResources,
  getResource,
  describeResource,
  getLogs,
  listEvents,
  applyManifest,
  deleteResource,
  scale,
  rolloutRestart,
  execCommand,
  explainPermissions,
  approvalStatus,
  waitForApproval,
];
