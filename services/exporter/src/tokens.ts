export const EVENT_STORE = Symbol('EVENT_STORE');
export const EXPORTER_CONFIG = Symbol('EXPORTER_CONFIG');
export const CHECKPOINTS = Symbol('CHECKPOINTS');
