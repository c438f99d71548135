export * from './agent-registry';
export * from './agent-registry.provider';
export * from './agents-file';
export * from './registry';
export * from './scope';
