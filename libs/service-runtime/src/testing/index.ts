// Test kits: imported by tests as @chaperone/service-runtime/testing, never from the package's main entry.
export * from './health-contract';
