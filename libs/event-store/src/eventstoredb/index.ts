export * from './eventstoredb-store';
