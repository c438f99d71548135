export * from './hash';
export * from './tree';
export * from './verify';
export * from './evidence-leaf';
export * from './evidence-log';
export * from './signed-tree-head';
export * from './proof-document';
export * from './tree-frontier';
