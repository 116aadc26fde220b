import type { OutsideInvoiceRecord } from '../../lnd-simulator/state/records';

/** Stored states of an invoice; `expired` is read off the clock (see invoice-book.ts). */
export type StoredInvoiceStatus = 'unpaid' | 'paid';
export type InvoiceStatus = StoredInvoiceStatus | 'expired';

/** An invoice of our node, as lightningd's invoices table keeps it. */
export interface ClnInvoiceRecord {
  label: string;
  /** null once removed by delinvoice desconly. */
  description: string | null;
  bolt11: string;
  paymentHash: string;
  preimage: string;
  paymentSecret: string;
  /** null: an "any" amount invoice. */
  amountMsat: number | null;
  createdAtSec: number;
  expiresAtSec: number;
  status: StoredInvoiceStatus;
  /** Set when paid, from 1, node-wide and never reused. */
  payIndex: number | null;
  amountReceivedMsat: number | null;
  paidAtSec: number | null;
  createdIndex: number;
  updatedIndex: number | null;
}

export type PayStatus = 'pending' | 'complete' | 'failed';

/** One xpay attempt group for a payment hash, as listpays shows it. */
export interface ClnPayRecord {
  paymentHash: string;
  groupId: number;
  bolt11: string;
  label: string | null;
  destination: string;
  amountMsat: number;
  /** Amount plus fee; 0 until the HTLC is sent. */
  amountSentMsat: number;
  status: PayStatus;
  createdAtSec: number;
  completedAtSec: number | null;
  preimage: string | null;
  createdIndex: number;
  updatedIndex: number | null;
  /** While pending with a "timeout" outcome: when it fails (epoch ms), so a restart resumes it. */
  timeoutAtMs: number | null;
  /** How xpay answered when it failed. */
  failure: { code: number; message: string } | null;
}

export interface ClnSimulatorState {
  version: 1;
  lastInvoiceCreatedIndex: number;
  lastInvoiceUpdatedIndex: number;
  lastPayIndex: number;
  lastPayCreatedIndex: number;
  lastPayUpdatedIndex: number;
  lastGroupId: number;
  invoices: ClnInvoiceRecord[];
  pays: ClnPayRecord[];
  outsideInvoices: OutsideInvoiceRecord[];
  /** xpay calls that sent an HTLC, per payment hash. */
  attempts: Record<string, number>;
}

export function emptyClnState(): ClnSimulatorState {
  return {
    version: 1,
    lastInvoiceCreatedIndex: 0,
    lastInvoiceUpdatedIndex: 0,
    lastPayIndex: 0,
    lastPayCreatedIndex: 0,
    lastPayUpdatedIndex: 0,
    lastGroupId: 0,
    invoices: [],
    pays: [],
    outsideInvoices: [],
    attempts: {},
  };
}
