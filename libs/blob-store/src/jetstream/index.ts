export * from './jetstream-blob-store';
export * from './bucket-config';
export { JsErrCodes } from './errors';
