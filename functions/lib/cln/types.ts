/** Public, camelCase shapes of what the Core Lightning client sends and returns. Amounts in msat. */

export const ClnInvoiceStatus = { Unpaid: 'unpaid', Paid: 'paid', Expired: 'expired' } as const;
export type ClnInvoiceStatus = (typeof ClnInvoiceStatus)[keyof typeof ClnInvoiceStatus];

export const ClnPayStatus = { Pending: 'pending', Complete: 'complete', Failed: 'failed' } as const;
export type ClnPayStatus = (typeof ClnPayStatus)[keyof typeof ClnPayStatus];

export const ClnOutputStatus = { Unconfirmed: 'unconfirmed', Confirmed: 'confirmed', Spent: 'spent', Immature: 'immature' } as const;
export type ClnOutputStatus = (typeof ClnOutputStatus)[keyof typeof ClnOutputStatus];

export interface ClnNodeInfo {
  /** Our node's public key, hex. */
  id: string;
  alias: string;
  color: string;
  numPeers: number;
  numPendingChannels: number;
  numActiveChannels: number;
  numInactiveChannels: number;
  version: string;
  lightningDir: string;
  blockheight: number;
  /** "bitcoin", "testnet", "signet", "regtest". */
  network: string;
  feesCollectedMsat: number;
  /** Set while bitcoind or lightningd is still syncing: the node is not ready. */
  warningBitcoindSync: string | null;
  warningLightningdSync: string | null;
}

export interface ClnOutput {
  txid: string;
  output: number;
  amountMsat: number;
  scriptpubkey: string;
  address: string | null;
  status: ClnOutputStatus;
  blockheight: number | null;
  reserved: boolean;
}

export interface ClnFundsChannel {
  peerId: string;
  ourAmountMsat: number;
  amountMsat: number;
  fundingTxid: string;
  fundingOutput: number;
  connected: boolean;
  /** cln's ChannelState name, e.g. "ChanneldNormal". */
  state: string;
  shortChannelId: string | null;
  channelId: string;
}

export interface ClnFunds {
  outputs: ClnOutput[];
  channels: ClnFundsChannel[];
}

export interface ClnInvoiceRequest {
  /** Unique among the node's invoices (deleting one frees its label); our invoice id. */
  label: string;
  /** "any" for an amountless invoice. */
  amountMsat: number | 'any';
  description: string;
  expirySec?: number;
  /** Put only sha256(description) in the BOLT11. */
  deschashonly?: boolean;
  /** 32 bytes, hex; the node picks one when absent. */
  preimage?: string;
  cltv?: number;
}

export interface ClnCreatedInvoice {
  bolt11: string;
  paymentHash: string;
  paymentSecret: string;
  expiresAtSec: number;
  createdIndex: number;
}

/** An invoice as listinvoices, waitanyinvoice and delinvoice report it. */
export interface ClnInvoice {
  label: string;
  description: string | null;
  paymentHash: string;
  status: ClnInvoiceStatus;
  expiresAtSec: number;
  /** null for an "any" invoice. */
  amountMsat: number | null;
  bolt11: string | null;
  /** Set once paid: 1, 2, 3… node-wide, the cursor of waitAnyInvoice. */
  payIndex: number | null;
  amountReceivedMsat: number | null;
  paidAtSec: number | null;
  paymentPreimage: string | null;
  createdIndex: number;
  updatedIndex: number | null;
}

/** One selector, or an index to page through (`start` inclusive). None: every invoice. */
export type ClnListInvoicesRequest =
  | { label: string }
  | { paymentHash: string }
  | { invstring: string }
  | { index: 'created' | 'updated'; start?: number; limit?: number }
  | Record<string, never>;

export interface ClnWaitAnyInvoiceRequest {
  /** The pay_index of the last invoice already handled; the answer is the next one paid. */
  lastpayIndex?: number;
  /** Give up after this many seconds (InvoiceWaitTimeoutError); none: wait for ever. */
  timeoutSec?: number;
}

export interface ClnDelInvoiceRequest {
  label: string;
  /** The status the caller believes the invoice has; lightningd refuses otherwise. */
  status: ClnInvoiceStatus;
  /** Remove only the description. */
  desconly?: boolean;
}

export interface ClnDecodedInvoice {
  itemType: string;
  valid: boolean;
  createdAtSec: number | null;
  expirySec: number | null;
  payee: string | null;
  paymentHash: string | null;
  descriptionHash: string | null;
  description: string | null;
  minFinalCltvExpiry: number | null;
  paymentSecret: string | null;
  currency: string | null;
  amountMsat: number | null;
}

export interface ClnXpayRequest {
  invstring: string;
  /** Only for an amountless invoice. */
  amountMsat?: number;
  /** Fee limit; xpay's default is 1% of the amount, at least 5,000 msat. */
  maxfeeMsat?: number;
  /** How long xpay keeps retrying routes (default 60 s). */
  retryForSec?: number;
  /** CLTV limit in blocks. */
  maxdelayBlocks?: number;
  label?: string;
}

export interface ClnXpayResult {
  paymentPreimage: string;
  failedParts: number;
  successfulParts: number;
  amountMsat: number;
  /** Amount plus fees. */
  amountSentMsat: number;
}

export interface ClnListPaysRequest {
  paymentHash?: string;
  bolt11?: string;
  status?: ClnPayStatus;
}

/** One payment (a group of parts) of a hash; a hash paid again after failing has several. */
export interface ClnPay {
  paymentHash: string;
  status: ClnPayStatus;
  destination: string | null;
  createdAtSec: number;
  label: string | null;
  bolt11: string | null;
  amountMsat: number | null;
  amountSentMsat: number | null;
  completedAtSec: number | null;
  preimage: string | null;
  numberOfParts: number | null;
  createdIndex: number | null;
  updatedIndex: number | null;
}
