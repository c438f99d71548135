export * from './evidence-event';
export * from './request-view';
export * from './approval-view';
export * from './read-model';
export * from './snapshot';
export * from './session-index';
