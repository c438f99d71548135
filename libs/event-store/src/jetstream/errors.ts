import { isBusUnavailable } from '@chaperone/bus';
import { StoreUnavailable } from '../port';

export { JsErrCodes, jsErrCode } from '@chaperone/bus';

/** Rethrow: outages/timeouts become StoreUnavailable, everything else as is. */
export function mapNatsError(err: unknown, what: string): never {
  if (err instanceof StoreUnavailable) throw err;
  if (isBusUnavailable(err)) {
    throw new StoreUnavailable(`NATS JetStream unavailable during ${what}: ${(err as Error).message}`, { cause: err });
  }
  throw err;
}
