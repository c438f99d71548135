export * from './bootstrap';
export * from './readiness';
export * from './runtime.module';
export * from './tokens';
export * from './common-settings';
export * from './run-main';
export * from './startup-error';
export * from './testing/health-contract';
