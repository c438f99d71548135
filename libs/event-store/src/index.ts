export * from './port';
export * from './validation';
export * from './jetstream';
export * from './eventstoredb';
export * from './chained';
export * from './open-evidence-store';
export * from './resume-point';
export * from './tagged';
