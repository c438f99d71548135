import { kubeStatus, type KubeStatus } from '@chaperone/k8s-status';

/**
 * The Status for a request Node's HTTP parser refused, so the agent gets an answer instead of a
 * dropped connection; undefined when nothing useful can be said (the peer already went away).
 */
export function parserErrorStatus(err: NodeJS.ErrnoException, parserMaxHeaderBytes: number): KubeStatus | undefined {
  switch (err.code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined;
    case 'HPE_HEADER_OVERFLOW':
      return kubeStatus('RequestHeaderFieldsTooLarge', `the request line and headers are larger than the gateway reads (${parserMaxHeaderBytes} bytes)`);
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return kubeStatus('BadRequest', 'the request has both Content-Length and Transfer-Encoding; send one');
    case 'HPE_INVALID_CONTENT_LENGTH':
      return kubeStatus('BadRequest', 'the request has an invalid or repeated Content-Length');
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return kubeStatus('BadRequest', 'the request has an invalid Transfer-Encoding');
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_LF_EXPECTED':
    case 'HPE_CR_EXPECTED':
      return kubeStatus('BadRequest', 'the request has a malformed header (folded or with invalid characters)');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return kubeStatus('RequestTimeout', 'the request was not received in time');
    default:
      return kubeStatus('BadRequest', `the request is not valid HTTP/1.1 (${String(err.code ?? 'parse error').replace(/[^A-Z0-9_]/g, '')})`);
  }
}
