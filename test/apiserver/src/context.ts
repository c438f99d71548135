import { IncomingMessage, ServerResponse } from 'node:http';
import { Store } from './store';

/** Long-running responses (watches, followed logs) register a closer so server.close() can end them. */
export type StreamRegistry = Set<() => void>;

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The body as UTF-8 text (JSON bodies). */
  body: string;
  /** The body bytes (protobuf bodies). */
  rawBody: Buffer;
  store: Store;
  streams: StreamRegistry;
}
