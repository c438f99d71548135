export * from './connect';
export * from './codec';
export * from './events-stream';
export * from './durable-event-publisher';
export * from './health-responder';
export * from './jetstream-errors';
export * from './nest-rpc';
