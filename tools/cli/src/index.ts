export * from './args';
export * from './command';
export * from './api-client';
export * from './run';
