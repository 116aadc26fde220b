import type { InvoiceState, PaymentFailureReason, PaymentStatus } from '../../functions/lib/lnd/types';

/** An invoice of the simulated node, as LND keeps it. */
export interface InvoiceRecord {
  paymentHash: string;
  preimage: string;
  paymentAddr: string;
  paymentRequest: string;
  memo: string;
  descriptionHash: string | null;
  /** 0 for an amountless invoice. */
  valueMsat: number;
  creationDateSec: number;
  expirySec: number;
  cltvExpiry: number;
  private: boolean;
  state: InvoiceState;
  addIndex: number;
  /** 0 until settled. */
  settleIndex: number;
  settleDateSec: number;
  amountPaidMsat: number;
}

/** How a payment to an outside node ends; set when that node's invoice is created. */
export const PaymentOutcome = {
  Succeed: 'succeed',
  NoRoute: 'no_route',
  InsufficientBalance: 'insufficient_balance',
  Timeout: 'timeout',
  Hang: 'hang',
} as const;
export type PaymentOutcome = (typeof PaymentOutcome)[keyof typeof PaymentOutcome];

/** An invoice issued by the simulated rest of the network, payable by our node. */
export interface OutsideInvoiceRecord {
  paymentHash: string;
  preimage: string;
  paymentRequest: string;
  amountMsat: number | null;
  outcome: PaymentOutcome;
  feeMsat: number;
}

/** An outgoing payment of our node, as LND's payment store keeps it. */
export interface PaymentRecord {
  paymentHash: string;
  paymentRequest: string;
  valueMsat: number;
  feeMsat: number;
  status: PaymentStatus;
  failureReason: PaymentFailureReason;
  /** Hex, or null until the payment succeeded. */
  preimage: string | null;
  creationTimeNs: string;
  paymentIndex: number;
  /** While in flight: when a "timeout" outcome gives up (epoch ms), so a restart can resume it. */
  timeoutAtMs: number | null;
}

export interface SimulatorState {
  version: 1;
  lastAddIndex: number;
  lastSettleIndex: number;
  lastPaymentIndex: number;
  invoices: InvoiceRecord[];
  outsideInvoices: OutsideInvoiceRecord[];
  payments: PaymentRecord[];
  /** SendPaymentV2 calls accepted per payment hash. */
  attempts: Record<string, number>;
}

export function emptyState(): SimulatorState {
  return {
    version: 1,
    lastAddIndex: 0,
    lastSettleIndex: 0,
    lastPaymentIndex: 0,
    invoices: [],
    outsideInvoices: [],
    payments: [],
    attempts: {},
  };
}
