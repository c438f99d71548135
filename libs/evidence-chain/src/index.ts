export * from './canonical-json';
export * from './chain';
export * from './chain-writer';
export * from './checkpoint';
export * from './completeness';
export * from './verify';
export * from './verify-store';
