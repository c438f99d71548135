export { startTestApiServer } from './server';
export type { TestApiServer, TestApiServerOptions } from './server';
export type { RecordedRequest } from './types';
export { FAKE_TOKEN } from './handlers/logs';
export type { KubeObject } from './types';
/** Secret-looking values the fake containers print (files, environment), for masking tests. */
export { FAKE_EXEC_PASSWORD, FAKE_SERVICE_ACCOUNT_JWT, SECRET_FILE, SERVICE_ACCOUNT_TOKEN_FILE } from './runtime/files';
export { FAKE_AWS_ACCESS_KEY_ID, FAKE_AWS_SECRET_ACCESS_KEY } from './runtime/environment';
