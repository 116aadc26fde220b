/** LND's Invoice.InvoiceState names. */
export const InvoiceState = {
  Open: 'OPEN',
  Settled: 'SETTLED',
  Canceled: 'CANCELED',
  Accepted: 'ACCEPTED',
} as const;
export type InvoiceState = (typeof InvoiceState)[keyof typeof InvoiceState];

/** LND's Payment.PaymentStatus names. */
export const PaymentStatus = {
  Unknown: 'UNKNOWN',
  InFlight: 'IN_FLIGHT',
  Succeeded: 'SUCCEEDED',
  Failed: 'FAILED',
  Initiated: 'INITIATED',
} as const;
export type PaymentStatus = (typeof PaymentStatus)[keyof typeof PaymentStatus];

/** LND's PaymentFailureReason names without the FAILURE_REASON_ prefix. */
export const PaymentFailureReason = {
  None: 'NONE',
  Timeout: 'TIMEOUT',
  NoRoute: 'NO_ROUTE',
  Error: 'ERROR',
  IncorrectPaymentDetails: 'INCORRECT_PAYMENT_DETAILS',
  InsufficientBalance: 'INSUFFICIENT_BALANCE',
  Canceled: 'CANCELED',
} as const;
export type PaymentFailureReason = (typeof PaymentFailureReason)[keyof typeof PaymentFailureReason];

/** INITIATED only appears with a node flag, but it is just as unfinished as IN_FLIGHT. */
export function isPaymentPending(status: PaymentStatus): boolean {
  return status === PaymentStatus.InFlight || status === PaymentStatus.Initiated;
}

export function isPaymentFinal(status: PaymentStatus): boolean {
  return status === PaymentStatus.Succeeded || status === PaymentStatus.Failed;
}

export interface NodeInfo {
  identityPubkey: string;
  alias: string;
  version: string;
  commitHash: string;
  color: string;
  /** "mainnet", "testnet", "regtest", ... from the first (only) chain. */
  network: string;
  chains: { chain: string; network: string }[];
  blockHeight: number;
  blockHash: string;
  bestHeaderTimestampSec: number;
  syncedToChain: boolean;
  syncedToGraph: boolean;
  numActiveChannels: number;
  numInactiveChannels: number;
  numPendingChannels: number;
  numPeers: number;
  uris: string[];
}

export interface AddInvoiceRequest {
  valueMsat: number;
  memo?: string;
  /** Hex SHA-256 of the description; exclusive with memo in our API. */
  descriptionHash?: string;
  /** LND's default is 86,400 s. */
  expirySec?: number;
  /** Hex 32-byte preimage; LND picks a random one when omitted. */
  preimage?: string;
  private?: boolean;
}

export interface AddedInvoice {
  paymentHash: string;
  paymentRequest: string;
  addIndex: number;
  paymentAddr: string;
}

export interface Invoice {
  paymentHash: string;
  paymentRequest: string;
  memo: string;
  descriptionHash: string | null;
  /** Present for invoices the node created with a known preimage. */
  preimage: string | null;
  valueMsat: number;
  /** What actually arrived; can exceed valueMsat. 0 until settled. */
  amountPaidMsat: number;
  state: InvoiceState;
  creationDateSec: number;
  settleDateSec: number | null;
  expirySec: number;
  addIndex: number;
  /** 0 until settled; values can have gaps. */
  settleIndex: number;
  paymentAddr: string;
  cltvExpiry: number;
  private: boolean;
  isKeysend: boolean;
}

export interface ListInvoicesRequest {
  /** Exclusive add_index to start after (or before, when reversed). */
  indexOffset?: number;
  /** LND treats 0 as 100. */
  numMaxInvoices?: number;
  reversed?: boolean;
  pendingOnly?: boolean;
  creationDateStartSec?: number;
  creationDateEndSec?: number;
}

export interface InvoicePage {
  invoices: Invoice[];
  firstIndexOffset: number;
  lastIndexOffset: number;
}

export interface SubscribeInvoicesRequest {
  /** Replay invoices with add_index greater than this; 0 means no backlog. */
  addIndex?: number;
  /** Replay settled invoices with settle_index greater than this; 0 means no backlog. */
  settleIndex?: number;
}

export interface SendPaymentRequest {
  paymentRequest: string;
  /** Only for amountless invoices. */
  amountMsat?: number;
  /** 0 allows only fee-free routes. */
  feeLimitMsat: number;
  /** How long LND keeps looking for routes; 0 lets LND use 60 s. */
  timeoutSec: number;
  maxParts?: number;
  noInflightUpdates?: boolean;
  allowSelfPayment?: boolean;
  /** Channel ids are uint64 and kept as decimal strings. */
  outgoingChanIds?: string[];
}

export interface Payment {
  paymentHash: string;
  /** null until the payment succeeded (LND sends 64 zeros before that). */
  preimage: string | null;
  status: PaymentStatus;
  failureReason: PaymentFailureReason;
  valueMsat: number;
  feeMsat: number;
  paymentRequest: string;
  /** Nanoseconds do not fit a JS number; kept as a decimal string. */
  creationTimeNs: string;
  paymentIndex: number;
}

export interface ChannelBalance {
  localMsat: number;
  remoteMsat: number;
  unsettledLocalMsat: number;
  unsettledRemoteMsat: number;
  pendingOpenLocalMsat: number;
  pendingOpenRemoteMsat: number;
}

export interface ChannelSummary {
  /** uint64 short channel id, kept as a decimal string. */
  chanId: string;
  channelPoint: string;
  remotePubkey: string;
  active: boolean;
  private: boolean;
  initiator: boolean;
  capacitySat: number;
  localBalanceSat: number;
  remoteBalanceSat: number;
  commitFeeSat: number;
  unsettledBalanceSat: number;
}

export interface WalletBalance {
  totalSat: number;
  confirmedSat: number;
  unconfirmedSat: number;
  lockedSat: number;
}

export interface DecodedPaymentRequest {
  destination: string;
  paymentHash: string;
  amountMsat: number;
  timestampSec: number;
  expirySec: number;
  description: string;
  descriptionHash: string | null;
  paymentAddr: string;
  cltvExpiry: number;
}
