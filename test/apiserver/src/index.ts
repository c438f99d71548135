export { startTestApiServer } from './server';
export type { TestApiServer, TestApiServerOptions } from './server';
export type { RecordedRequest } from './types';
export { FAKE_TOKEN } from './handlers/logs';
export type { KubeObject } from './types';
