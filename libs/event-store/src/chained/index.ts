export { chainedEventStore, linkBatch, type ChainedEventStore, type ChainedEventStoreOptions, type StreamTail } from './chained-store';
