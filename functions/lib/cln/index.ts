export * from './client';
export * from './errors';
export { clnCertificatePaths, CLN_CERTIFICATE_FILES } from './credentials';
export { toClnError } from './error-mapping';
export { parseRpcErrorDetails } from './rpc-error-details';
export { ClnRpcErrorCode } from './rpc-error-codes';
export { UnsafeIntegerError } from '../lnd/errors';
export * from './types';
