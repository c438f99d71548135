import { setting } from '@chaperone/config';
import { blobStoreSettings, commonSettings, oidcSettings } from '@chaperone/service-runtime';

/** Every knob of the ingress; docs/configuration.md is generated from this spec. */
export const ingressSettings = {
  ...commonSettings(9400),
  listenHost: setting.string('CHAPERONE_LISTEN_HOST', 'the address the Kubernetes API surface listens on', '127.0.0.1'),
  httpsPort: setting.port('CHAPERONE_HTTPS_PORT', '8443'),
  httpPort: setting.int('CHAPERONE_HTTP_PORT', 'a TCP port for plain HTTP (local use only), -1 to disable', '-1', -1, 65535),
  tlsCertFile: setting.optional('CHAPERONE_TLS_CERT_FILE', 'path to the PEM server certificate (HTTPS is off without it)'),
  tlsKeyFile: setting.optional('CHAPERONE_TLS_KEY_FILE', 'path to the PEM private key of the server certificate'),

  maxUrlBytes: setting.int('CHAPERONE_MAX_URL_BYTES', 'longest request URI (path and query) accepted; longer gets 414', '32768', 1024, 1048576),
  maxHeaderBytes: setting.int('CHAPERONE_MAX_HEADER_BYTES', 'largest request headers accepted (all of them together); larger gets 431', '65536', 8192, 1048576),
  maxRequestBodyBytes: setting.int('CHAPERONE_MAX_REQUEST_BODY_BYTES', 'largest declared request body accepted; larger gets 413 before anything is read (the API server’s own limit is 3 MiB)', '3145728', 1024, 1073741824),

  ...blobStoreSettings(),
  ...oidcSettings(),
  oidcAgentClaim: setting.string('CHAPERONE_OIDC_AGENT_CLAIM', 'claim holding the agent name (falls back to the user name)', 'agent'),
  oidcSessionClaim: setting.string('CHAPERONE_OIDC_SESSION_CLAIM', 'claim holding the agent session id (else one token = one session)', 'sid'),

  upstreamKubeconfig: setting.optional('CHAPERONE_UPSTREAM_KUBECONFIG', 'path to a kubeconfig for the gateway’s own credentials'),
  upstreamContext: setting.optional('CHAPERONE_UPSTREAM_CONTEXT', 'kubeconfig context to use (default: current-context)'),
  upstreamInCluster: setting.bool('CHAPERONE_UPSTREAM_IN_CLUSTER', 'true to use the pod’s service account', 'false'),
  upstreamUrl: setting.optional('CHAPERONE_UPSTREAM_URL', 'API server URL when using a token file'),
  upstreamTokenFile: setting.optional('CHAPERONE_UPSTREAM_TOKEN_FILE', 'path to the gateway’s bearer token file'),
  upstreamCaFile: setting.optional('CHAPERONE_UPSTREAM_CA_FILE', 'path to the API server’s CA bundle'),

  maskingTimeoutMs: setting.int('CHAPERONE_MASKING_TIMEOUT_MS', 'milliseconds to wait for each masking exchange of a response under way (a whole large document is masked in one) before withholding it', '30000', 50, 600000),
  maskingOpenTimeoutMs: setting.int('CHAPERONE_MASKING_OPEN_TIMEOUT_MS', 'milliseconds to wait for the masking service to open a response’s stream before refusing the request (nothing is sent), or to mask a small document in one request before withholding it; a replica that took the request and died is detected in this time', '2000', 50, 60000),
  approvalOpenTimeoutMs: setting.int('CHAPERONE_APPROVAL_OPEN_TIMEOUT_MS', 'milliseconds to wait for the approval service to open an approval before refusing the request (nothing is sent); a replica that took the request and died is detected in this time', '2000', 50, 60000),
  approvalTimeoutMs: setting.int('CHAPERONE_APPROVAL_TIMEOUT_MS', 'milliseconds to wait for each answer of the approval service (open, claim, poll) before failing closed', '5000', 50, 60000),
  approvalPollMs: setting.int('CHAPERONE_APPROVAL_POLL_MS', 'milliseconds between polls of a held request’s approval (change notices usually wake it sooner)', '2000', 100, 60000),
  approvalPublicUrl: setting.string('CHAPERONE_APPROVAL_PUBLIC_URL', 'the approvers API URL put into ticket answers when the approval service does not send its own link', 'http://127.0.0.1:9403'),
  execIdleTimeoutSeconds: setting.int('CHAPERONE_EXEC_IDLE_TIMEOUT_SECONDS', 'seconds an exec, attach or port-forward session may pass nothing either way before the gateway ends it (recorded as idle-timeout)', '1800', 1, 604800),
  execMaxDurationSeconds: setting.int('CHAPERONE_EXEC_MAX_DURATION_SECONDS', 'seconds an exec, attach or port-forward session may last before the gateway ends it (recorded as max-duration)', '14400', 1, 2592000),
  execRecordingMaxBytes: setting.int('CHAPERONE_EXEC_RECORDING_MAX_BYTES', 'bytes of asciicast events kept per exec or attach recording; later output is dropped from the recording (marked truncated), never from the session', '16777216', 4096, 1073741824),
  policyTimeoutMs: setting.int('CHAPERONE_POLICY_TIMEOUT_MS', 'milliseconds to wait for a policy decision before failing closed', '2000', 50, 60000),
};
