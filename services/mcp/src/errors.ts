/**
 * Typed failures inside the MCP service. Each becomes a Kubernetes Status in one place
 * (tools/results.ts), which is what a tool error carries.
 */

/** The ingress or the approvers API did not answer: unreachable, too slow, or an answer we cannot read. */
export class ChaperoneUnavailable extends Error {
  override readonly name = 'ChaperoneUnavailable';
}

/** The MCP client cancelled the tool call (its request was abandoned, so a held approval is withdrawn). */
export class CallCancelled extends Error {
  override readonly name = 'CallCancelled';
}

/** The tool's arguments cannot make a Kubernetes request (a manifest without a kind, say). */
export class BadArguments extends Error {
  override readonly name = 'BadArguments';
}
