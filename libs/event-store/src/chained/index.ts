export { chainedEventStore, linkBatch, type ChainedEventStoreOptions } from './chained-store';
