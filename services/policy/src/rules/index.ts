export * from './policy-schema';
export * from './match-rule';
export * from './compile-policy';
export * from './evaluate';
export * from './load-policy';
export * from './policy-store';
export * from './approval-options';
