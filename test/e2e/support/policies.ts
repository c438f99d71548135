/** Policy YAML shared by the end-to-end suites. */

/** Every authenticated agent may read discovery; kubectl needs it before anything else. */
export const DISCOVERY_RULE = `  - name: discovery
    effect: allow
    subjects: { groups: ["*"] }
    verbs: ["get"]
    nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/version", "/openapi/*"]
`;

/** A complete policy document: discovery plus the given rules (YAML list items). */
export function policyWith(rules: string): string {
  return `apiVersion: chaperone.dev/v1alpha1
kind: Policy
rules:
${DISCOVERY_RULE}${rules.replace(/^\n/, '')}`;
}
