export * from './client';
export * from './errors';
export { toLndError } from './error-mapping';
export { LndStream } from './lnd-stream';
export { lndClientFromEnv, readLndConnectionEnv, type LndConnectionEnv } from './env';
export * from './types';
