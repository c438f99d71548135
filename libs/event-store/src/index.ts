export * from './port';
export * from './validation';
export * from './jetstream';
export * from './eventstoredb';
export * from './chained';
export * from './open-evidence-store';
export * from './tagged';
/** Where a reader of the whole store resumes (libs/evidence-chain, beside readAllPages). */
export { ResumePoint } from '@chaperone/evidence-chain';
