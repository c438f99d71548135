import { isBusUnavailable } from '@chaperone/bus';
import { BlobStoreUnavailable } from '../port';

export { JsErrCodes, jsErrCode, natsCode } from '@chaperone/bus';

/** Rethrow: outages/timeouts become BlobStoreUnavailable, everything else as is. */
export function mapNatsError(err: unknown, what: string): never {
  if (err instanceof BlobStoreUnavailable) throw err;
  if (isBusUnavailable(err)) {
    throw new BlobStoreUnavailable(`NATS JetStream unavailable during ${what}: ${(err as Error).message}`, { cause: err });
  }
  throw err;
}
