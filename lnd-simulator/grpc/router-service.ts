import { status as GrpcStatus, type ServerWritableStream, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { RawSendPaymentRequest, RawTrackPaymentRequest } from '../../functions/lib/lnd/proto-types';
import { isPaymentFinal } from '../../functions/lib/lnd/types';
import type { PaymentEngine } from '../payment-engine';
import { RpcFailure } from '../rpc-failure';
import type { PaymentRecord } from '../state/records';
import type { OpenStreams } from './open-streams';
import { hashField, int64Field } from './request-fields';
import { toServiceError, type RpcHandlers } from './rpc-handlers';
import { paymentToProto } from './to-proto';

/**
 * LND's payment stream: the current state first (unless only the final one
 * was asked for), every change after it, then OK once the payment is final.
 */
function streamPayment(
  call: ServerWritableStream<unknown, unknown>,
  streams: OpenStreams,
  engine: PaymentEngine,
  payment: PaymentRecord,
  noInflightUpdates: boolean,
): void {
  const isFinal = isPaymentFinal(payment.status);
  if (isFinal || !noInflightUpdates) call.write(paymentToProto(payment));
  if (isFinal) {
    call.end();
    return;
  }
  let unsubscribe = (): void => {};
  const close = streams.track(call, () => unsubscribe());
  unsubscribe = engine.updated.subscribe((updated) => {
    if (updated.paymentHash !== payment.paymentHash) return;
    const final = isPaymentFinal(updated.status);
    if (final || !noInflightUpdates) call.write(paymentToProto(updated));
    if (final) close();
  });
}

function feeLimitMsat(raw: RawSendPaymentRequest): number {
  const sat = int64Field(raw.fee_limit_sat, 'fee_limit_sat');
  const msat = int64Field(raw.fee_limit_msat, 'fee_limit_msat');
  if (sat !== 0 && msat !== 0) throw new RpcFailure('sat and msat arguments are mutually exclusive');
  const limitMsat = msat || sat * 1000;
  if (limitMsat < 0) throw new RpcFailure('fee limit must not be negative');
  return limitMsat;
}

function amountMsat(raw: RawSendPaymentRequest): number {
  const sat = int64Field(raw.amt, 'amt');
  const msat = int64Field(raw.amt_msat, 'amt_msat');
  if (sat !== 0 && msat !== 0) throw new RpcFailure('sat and msat arguments are mutually exclusive');
  const amount = msat || sat * 1000;
  if (amount < 0) throw new RpcFailure('amount must not be negative');
  return amount;
}

export function routerService(
  handlers: RpcHandlers,
  streams: OpenStreams,
  engine: PaymentEngine,
): UntypedServiceImplementation {
  return {
    SendPaymentV2: handlers.serverStream('/routerrpc.Router/SendPaymentV2', (call) => {
      const raw = call.request as RawSendPaymentRequest;
      if (raw.payment_request === '') {
        throw new RpcFailure('the simulator only pays BOLT11 payment requests', GrpcStatus.UNIMPLEMENTED);
      }
      if (raw.timeout_seconds < 0) throw new RpcFailure('timeout_seconds must not be negative');
      const stream = call as ServerWritableStream<unknown, unknown>;
      // A held send keeps its stream open with nothing on it, so a dropped connection cuts it.
      const held = engine.holdingSends;
      if (held) streams.track(stream, () => {});
      engine.submit(
        {
          paymentRequest: raw.payment_request,
          amountMsat: amountMsat(raw),
          feeLimitMsat: feeLimitMsat(raw),
          timeoutSec: raw.timeout_seconds,
          allowSelfPayment: raw.allow_self_payment,
        },
        (started) => {
          // The caller went away while the send was held: the payment goes on without it.
          if (held && !streams.untrack(stream)) return;
          if (started instanceof RpcFailure) stream.emit('error', toServiceError(started));
          else streamPayment(stream, streams, engine, started, raw.no_inflight_updates);
        },
      );
    }),

    TrackPaymentV2: handlers.serverStream('/routerrpc.Router/TrackPaymentV2', (call) => {
      const raw = call.request as RawTrackPaymentRequest;
      const payment = engine.find(hashField(raw.payment_hash, 'payment hash'));
      if (!payment) throw new RpcFailure("payment isn't initiated", GrpcStatus.NOT_FOUND);
      streamPayment(call as ServerWritableStream<unknown, unknown>, streams, engine, payment, raw.no_inflight_updates);
    }),
  };
}
