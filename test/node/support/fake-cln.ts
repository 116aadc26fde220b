import { status as GrpcStatus } from '@grpc/grpc-js';
import { type ClnInvoice, type ClnPay, toClnError } from '../../../functions/lib/cln';
import type { ClnNodeClient } from '../../../functions/lib/node/cln/cln-node';

/** lightningd's refusal as cln-grpc sends it (UNKNOWN, the JSON-RPC code in the details), mapped by the real toClnError. */
export function clnRpcFailure(method: string, code: number, message: string, data = 'None') {
  const details = `Error calling method ${method}: RpcError { code: Some(${code}), message: "${message}", data: ${data} }`;
  return toClnError(Object.assign(new Error(`2 UNKNOWN: ${details}`), { code: GrpcStatus.UNKNOWN, details }), method);
}

/** A transport failure (the connection dropped) as the client reports it. */
export function clnUnavailable(method: string) {
  return toClnError(Object.assign(new Error('14 UNAVAILABLE: Connection dropped'), { code: GrpcStatus.UNAVAILABLE, details: 'Connection dropped' }), method);
}

/** A client where each test supplies only the calls it makes; any other call fails loudly. */
export function fakeCln(calls: Partial<ClnNodeClient>): ClnNodeClient {
  return new Proxy(calls as ClnNodeClient, {
    get(target, name: string) {
      const call = target[name as keyof ClnNodeClient];
      if (call === undefined) throw new Error(`unexpected Core Lightning call ${name}`);
      return call;
    },
  });
}

export function clnInvoice(overrides: Partial<ClnInvoice> = {}): ClnInvoice {
  return {
    label: 'inv_1',
    description: 'coffee',
    paymentHash: 'aa'.repeat(32),
    status: 'unpaid',
    expiresAtSec: 1_700_003_600,
    amountMsat: 5_000,
    bolt11: 'lnbcrt50n1fake',
    payIndex: null,
    amountReceivedMsat: null,
    paidAtSec: null,
    paymentPreimage: null,
    createdIndex: 7,
    updatedIndex: null,
    ...overrides,
  };
}

export function clnPay(overrides: Partial<ClnPay> = {}): ClnPay {
  return {
    paymentHash: 'aa'.repeat(32),
    status: 'pending',
    destination: '02' + 'bb'.repeat(32),
    createdAtSec: 1_700_000_000,
    label: null,
    bolt11: 'lnbcrt50n1fake',
    amountMsat: 5_000,
    amountSentMsat: 5_007,
    completedAtSec: null,
    preimage: null,
    numberOfParts: 1,
    createdIndex: 3,
    updatedIndex: null,
    ...overrides,
  };
}
