import { toLndError, type Invoice, InvoiceState, type LndStream, type Payment, PaymentFailureReason, PaymentStatus } from '../../../functions/lib/lnd';
import type { LndNodeClient } from '../../../functions/lib/node/lnd/lnd-node';

/** An LND client whose every call fails as a gRPC call would, mapped by the real toLndError. */
export function lndFailure(code: number, details: string, method = 'SomeMethod') {
  return toLndError(Object.assign(new Error(`${code} ${details}`), { code, details }), method);
}

/** A server stream that yields `messages`, then ends (or fails with `end`). */
export function lndStream<T>(messages: T[], end?: unknown): LndStream<T> & { wasCancelled: boolean } {
  const stream = {
    wasCancelled: false,
    cancel() {
      stream.wasCancelled = true;
    },
    async *[Symbol.asyncIterator]() {
      for (const message of messages) yield message;
      if (end !== undefined) throw end;
    },
  };
  return stream as unknown as LndStream<T> & { wasCancelled: boolean };
}

/** A client where each test supplies only the calls it makes; any other call fails loudly. */
export function fakeLnd(calls: Partial<LndNodeClient>): LndNodeClient {
  return new Proxy(calls as LndNodeClient, {
    get(target, name: string) {
      const call = target[name as keyof LndNodeClient];
      if (call === undefined) throw new Error(`unexpected LND call ${name}`);
      return call;
    },
  });
}

export function lndInvoice(overrides: Partial<Invoice> = {}): Invoice {
  return {
    paymentHash: 'aa'.repeat(32),
    paymentRequest: 'lnbcrt1fake',
    memo: '',
    descriptionHash: null,
    preimage: 'bb'.repeat(32),
    valueMsat: 5_000,
    amountPaidMsat: 0,
    state: InvoiceState.Open,
    creationDateSec: 1_700_000_000,
    settleDateSec: null,
    expirySec: 3600,
    addIndex: 7,
    settleIndex: 0,
    paymentAddr: '00',
    cltvExpiry: 80,
    private: false,
    isKeysend: false,
    ...overrides,
  };
}

export function lndPayment(overrides: Partial<Payment> = {}): Payment {
  return {
    paymentHash: 'cc'.repeat(32),
    preimage: null,
    status: PaymentStatus.InFlight,
    failureReason: PaymentFailureReason.None,
    valueMsat: 10_000,
    feeMsat: 0,
    paymentRequest: 'lnbcrt1fake',
    creationTimeNs: '1',
    paymentIndex: 3,
    ...overrides,
  };
}

export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}
