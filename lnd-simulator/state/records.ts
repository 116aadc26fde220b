import type { InvoiceState, PaymentFailureReason, PaymentStatus } from '../../functions/lib/lnd/types';

/** LND's InvoiceHTLCState names. */
export type InvoiceHtlcState = 'ACCEPTED' | 'SETTLED' | 'CANCELED';

/** An HTLC that paid (or is held for) one of our invoices. */
export interface InvoiceHtlcRecord {
  htlcIndex: number;
  amountMsat: number;
  acceptHeight: number;
  acceptTimeSec: number;
  /** 0 while held. */
  resolveTimeSec: number;
  expiryHeight: number;
  state: InvoiceHtlcState;
}

/** An invoice of the simulated node, as LND keeps it. */
export interface InvoiceRecord {
  paymentHash: string;
  /** Hex; null for a hold invoice until it is settled. */
  preimage: string | null;
  /** A hold invoice (AddHoldInvoice): paid HTLCs wait in ACCEPTED for SettleInvoice or CancelInvoice. */
  hold?: boolean;
  /** Absent in state files written before HTLCs were recorded. */
  htlcs?: InvoiceHtlcRecord[];
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

/** LND's HTLCAttempt.HTLCStatus names. */
export type HtlcAttemptStatus = 'IN_FLIGHT' | 'SUCCEEDED' | 'FAILED';

export interface RouteHopRecord {
  chanId: string;
  pubkey: string;
  amountToForwardMsat: number;
  feeMsat: number;
  expiryHeight: number;
  /** The final hop carries the invoice's payment address and the payment's total. */
  mpp: { paymentAddr: string; totalAmountMsat: number } | null;
}

/** One HTLC our node sent for a payment, as in LND's Payment.htlcs. */
export interface HtlcAttemptRecord {
  attemptId: number;
  status: HtlcAttemptStatus;
  attemptTimeNs: string;
  /** '0' while in flight. */
  resolveTimeNs: string;
  totalTimeLock: number;
  totalAmountMsat: number;
  totalFeesMsat: number;
  hops: RouteHopRecord[];
  /** Hex, once the HTLC succeeded. */
  preimage: string | null;
  /** A BOLT 4 failure code name of lnrpc.Failure.FailureCode and the index of the hop that sent it. */
  failure: { code: string; sourceIndex: number; height: number } | null;
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
  /** Absent in state files written before attempts were recorded. */
  htlcs?: HtlcAttemptRecord[];
}

export interface SimulatorState {
  version: 1;
  lastAddIndex: number;
  lastSettleIndex: number;
  lastPaymentIndex: number;
  /** LND numbers HTLC attempts and incoming HTLCs node-wide. */
  lastAttemptId: number;
  lastHtlcIndex: number;
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
    lastAttemptId: 0,
    lastHtlcIndex: 0,
    invoices: [],
    outsideInvoices: [],
    payments: [],
    attempts: {},
  };
}
