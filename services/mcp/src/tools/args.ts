import { z } from 'zod';

/** Argument schemas shared by the tools, with the descriptions clients show to the model. */
export const Args = {
  resource: z
    .string()
    .min(1)
    .max(253)
    .describe('the resource type as kubectl names it: plural, singular, short name or kind, optionally with its API group (pods, pod, po, deployments.apps, Deployment)'),
  name: z.string().min(1).max(253).describe('the object\'s name'),
  namespace: z.string().min(1).max(63).optional().describe('the namespace (default "default"; ignored for cluster-scoped types)'),
  reason: z
    .string()
    .max(1000)
    // The ingress refuses control characters in X-Chaperone-Reason.
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f-\u009f]*$/, 'printable text only')
    .optional()
    .describe('why you make this change: shown to the human approver when Chaperone asks for an approval'),
};
