/**
 * The lifecycle events live in `@chaperone/contracts` (others read approval streams); this module
 * re-exports them so the aggregate reads as one unit.
 */
export {
  ApprovalModes,
  CancelReasons,
  FinalApprovalEventTypes,
  type ApprovalCancelled,
  type ApprovalDenied,
  type ApprovalExecuted,
  type ApprovalExpired,
  type ApprovalGranted,
  type ApprovalLifecycleEvent,
  type ApprovalLifecycleEventType,
  type ApprovalMode,
  type ApprovalRequestAttributes,
  type ApprovalRequested,
  type ApprovalVoteRecorded,
  type Approver,
  type CancelReason,
  type Requester,
} from '@chaperone/contracts';
