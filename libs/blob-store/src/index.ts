export * from './port';
export * from './body-digest';
export * from './jetstream';
export * from './testing/blob-store-contract';
