// Test kits: imported by tests as @chaperone/event-store/testing, never from the package's main entry.
export * from './event-store-contract';
