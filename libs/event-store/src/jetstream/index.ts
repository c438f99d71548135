export * from './jetstream-store';
export * from './stream-config';
export { JsErrCodes } from './errors';
export { streamKind, type SubjectLayout } from './subject-layout';
