import { describe, expect, it } from 'vitest';
import { GrpcCallError } from '../../functions/lib/grpc-unary/grpc-call-error';
import { GrpcStatus } from '../../functions/lib/grpc-unary/grpc-status';
import { decodeGrpcMessage, grpcTimeoutHeader, statusFromHttp } from '../../functions/lib/grpc-unary/status-mapping';
import { clnCallFailure, nodeErrorFromClnCall } from '../../functions/lib/node/light/cln-call-errors';
import { nodeErrorFromLndCall } from '../../functions/lib/node/light/lnd-call-errors';
import {
  DuplicateInvoiceError,
  InvoiceAlreadySettledError,
  NodeAccessDeniedError,
  NodeError,
  NodeUnreachableError,
  UnknownInvoiceError,
} from '../../functions/lib/node/node-errors';

const failed = (code: number, details: string) => new GrpcCallError(code, details, '/pkg.Service/Method');

describe('LND call failures as the port’s errors', () => {
  it.each([
    [GrpcStatus.UNAVAILABLE, 'whatever', NodeUnreachableError],
    [GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded', NodeUnreachableError],
    [GrpcStatus.UNKNOWN, 'connect ECONNREFUSED 127.0.0.1:10009', NodeUnreachableError],
    [GrpcStatus.PERMISSION_DENIED, 'no reason given', NodeAccessDeniedError],
    [GrpcStatus.UNAUTHENTICATED, '', NodeAccessDeniedError],
    [GrpcStatus.UNKNOWN, 'verification failed: signature mismatch', NodeAccessDeniedError],
    [GrpcStatus.UNKNOWN, 'invoice with payment hash already exists', DuplicateInvoiceError],
    [GrpcStatus.UNKNOWN, 'invoice already settled', InvoiceAlreadySettledError],
    [GrpcStatus.NOT_FOUND, 'no such thing', UnknownInvoiceError],
    [GrpcStatus.UNKNOWN, 'unable to locate invoice', UnknownInvoiceError],
    [GrpcStatus.UNKNOWN, 'something else', NodeError],
  ])('%i "%s" is %o', (code, details, errorClass) => {
    const error = nodeErrorFromLndCall(failed(code, details), 'LookupInvoice', 'lookupInvoice');
    expect(error).toBeInstanceOf(errorClass);
    expect((error as Error).constructor).toBe(errorClass);
    expect(error).toMatchObject({ operation: 'lookupInvoice', details });
  });

  it('passes anything that is not a gRPC failure unchanged', () => {
    const bug = new RangeError('ours');
    expect(nodeErrorFromLndCall(bug, 'AddInvoice', 'createInvoice')).toBe(bug);
  });
});

describe('Core Lightning call failures as the port’s errors', () => {
  const rpc = (code: number, data = 'None') => `Error calling method DelInvoice: RpcError { code: Some(${code}), message: "lightningd says so", data: ${data} }`;

  it.each([
    [GrpcStatus.UNAVAILABLE, 'x', NodeUnreachableError],
    [GrpcStatus.DEADLINE_EXCEEDED, 'x', NodeUnreachableError],
    [GrpcStatus.UNKNOWN, 'tls handshake failed', NodeUnreachableError],
    [GrpcStatus.PERMISSION_DENIED, 'x', NodeAccessDeniedError],
    [GrpcStatus.UNKNOWN, rpc(900), DuplicateInvoiceError],
    [GrpcStatus.UNKNOWN, rpc(901), DuplicateInvoiceError],
    [GrpcStatus.UNKNOWN, rpc(905), UnknownInvoiceError],
    [GrpcStatus.UNKNOWN, rpc(906), NodeError],
    [GrpcStatus.UNKNOWN, 'no code at all', NodeError],
  ])('%i "%s" is %o, and the message keeps lightningd’s text out', (code, details, errorClass) => {
    const error = nodeErrorFromClnCall(failed(code, details), 'DelInvoice', 'cancelInvoice') as Error;
    expect(error.constructor).toBe(errorClass);
    expect(error.message).not.toContain('lightningd says so');
    expect(error).toMatchObject({ operation: 'cancelInvoice', details });
  });

  it('reads the JSON-RPC code and the current status of a 906', () => {
    const details = rpc(906, 'Some(Object {"current_status": String("paid")})');
    expect(clnCallFailure(failed(GrpcStatus.UNKNOWN, details))).toEqual({ grpcCode: GrpcStatus.UNKNOWN, rpcCode: 906, currentStatus: 'paid', details });
    expect(clnCallFailure(failed(GrpcStatus.UNKNOWN, 'RpcError { code: None, message: "x" }'))?.rpcCode).toBeNull();
    expect(clnCallFailure(new Error('not a call'))).toBeUndefined();
  });
});

describe('gRPC over HTTP/2 details', () => {
  it('maps HTTP statuses as gRPC specifies', () => {
    expect([400, 401, 403, 404, 429, 502, 503, 504, 500].map(statusFromHttp)).toEqual([
      GrpcStatus.INTERNAL,
      GrpcStatus.UNAUTHENTICATED,
      GrpcStatus.PERMISSION_DENIED,
      GrpcStatus.UNIMPLEMENTED,
      GrpcStatus.UNAVAILABLE,
      GrpcStatus.UNAVAILABLE,
      GrpcStatus.UNAVAILABLE,
      GrpcStatus.UNAVAILABLE,
      GrpcStatus.UNKNOWN,
    ]);
  });

  it('percent-decodes grpc-message, keeping a malformed one as sent', () => {
    expect(decodeGrpcMessage('unable%20to%20locate%20invoice')).toBe('unable to locate invoice');
    expect(decodeGrpcMessage('100%')).toBe('100%');
    expect(decodeGrpcMessage(undefined)).toBe('');
  });

  it('writes grpc-timeout in at most eight digits', () => {
    expect(grpcTimeoutHeader(10_000)).toBe('10000m');
    expect(grpcTimeoutHeader(0.2)).toBe('1m');
    expect(grpcTimeoutHeader(200_000_000)).toBe('200000S');
  });
});
