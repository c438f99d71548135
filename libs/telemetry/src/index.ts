export * from './tracing';
export * from './redact';
export * from './logger';
