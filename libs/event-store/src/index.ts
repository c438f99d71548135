export * from './port';
export * from './validation';
export * from './jetstream';
export * from './eventstoredb';
export * from './testing/event-store-contract';
