export * from './jetstream-store';
export * from './stream-config';
export { JsErrCodes } from './errors';
