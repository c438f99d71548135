import { z } from 'zod';
import { failureResult, textResult } from '../results';
import { defineTool } from '../tool-definition';
import { describeApproval } from './describe-approval';

export const ApprovalIdArg = z.string().min(1).max(128).describe('the approval id from a "pending" answer');

export const approvalStatus = defineTool({
  name: 'approval_status',
  title: 'Approval status',
  description: 'The state of one of your approvals: pending, granted, executed, denied, expired or cancelled, with who reviewed it and why.',
  input: { approvalId: ApprovalIdArg },
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  async run(args, ctx) {
    const found = await ctx.approvals.get(ctx.token, args.approvalId, ctx.signal);
    if (!found.ok) return failureResult(found.failure);
    const { text, structured } = describeApproval(found.snapshot);
    return textResult(text, structured);
  },
});
