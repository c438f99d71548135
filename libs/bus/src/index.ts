export * from './connect';
export * from './codec';
export * from './event-publisher';
export * from './health-responder';
