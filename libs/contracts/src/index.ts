export * from './identity';
export * from './request-info';
export * from './decision';
export * from './messages';
export * from './events';
export * from './subjects';
export * from './validate';
export * from './masking';
