export * from './approval-events';
export * from './approval-commands';
export * from './approval-state';
export * from './errors';
export { decide } from './decide';
export { evolve, evolveAll } from './evolve';
