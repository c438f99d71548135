export * from './agent-registry-stream';
export * from './agent-registry.provider';
export * from './agents-file';
export * from './agents-file-watch';
export * from './registry-decider';
export * from './registry-refusal';
export * from './scope-check';
