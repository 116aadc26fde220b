import { describe, expect, it } from 'vitest';
import type { ClnFunds, ClnNodeInfo } from '../../functions/lib/cln';
import {
  channelBalanceFromCln,
  decodedFromCln,
  invoiceFromCln,
  latestPay,
  networkFromCln,
  nodeInfoFromCln,
  onchainBalanceFromCln,
  paymentFromClnPay,
  settlementFromCln,
} from '../../functions/lib/node/cln/cln-node-mapping';
import { NodeError } from '../../functions/lib/node/node-errors';
import { NodeInvoiceState, NodePaymentStatus } from '../../functions/lib/node/node-types';
import { clnInvoice, clnPay } from './support/fake-cln';

const info = (overrides: Partial<ClnNodeInfo> = {}): ClnNodeInfo => ({
  id: '02' + 'cc'.repeat(32),
  alias: 'shop',
  color: '02cccc',
  numPeers: 3,
  numPendingChannels: 0,
  numActiveChannels: 2,
  numInactiveChannels: 1,
  version: 'v25.02',
  lightningDir: '/home/cln/.lightning/bitcoin',
  blockheight: 880_000,
  network: 'bitcoin',
  feesCollectedMsat: 0,
  warningBitcoindSync: null,
  warningLightningdSync: null,
  ...overrides,
});

describe('networkFromCln', () => {
  it.each([
    ['bitcoin', 'mainnet'],
    ['testnet', 'testnet'],
    ['testnet4', 'testnet4'],
    ['signet', 'signet'],
    ['regtest', 'regtest'],
  ])('names Core Lightning %s as %s', (cln, port) => {
    expect(networkFromCln(cln)).toBe(port);
  });
});

describe('nodeInfoFromCln', () => {
  it('maps identity, chain and counts, and is synced without warnings', () => {
    expect(nodeInfoFromCln(info())).toEqual({
      pubkey: '02' + 'cc'.repeat(32),
      network: 'mainnet',
      synced: true,
      blockHeight: 880_000,
      alias: 'shop',
      version: 'v25.02',
      activeChannels: 2,
      peers: 3,
    });
  });

  it.each([{ warningBitcoindSync: 'Bitcoind is not up-to-date' }, { warningLightningdSync: 'Still loading latest blocks' }])(
    'is not synced while lightningd warns (%o)',
    (warning) => {
      expect(nodeInfoFromCln(info(warning)).synced).toBe(false);
    },
  );
});

describe('invoiceFromCln', () => {
  it('an unpaid invoice is open, with nothing paid and no settle index', () => {
    expect(invoiceFromCln(clnInvoice())).toEqual({
      paymentHash: 'aa'.repeat(32),
      state: NodeInvoiceState.open,
      preimage: null,
      amountPaidMsat: 0,
      settledAtSec: null,
      settleIndex: 0,
      addIndex: 7,
    });
  });

  it('a paid invoice is settled with what arrived, when, and its pay_index as settleIndex', () => {
    const paid = clnInvoice({ status: 'paid', payIndex: 12, amountReceivedMsat: 6_000, paidAtSec: 1_700_000_100, paymentPreimage: 'bb'.repeat(32) });
    expect(invoiceFromCln(paid)).toMatchObject({
      state: NodeInvoiceState.settled,
      amountPaidMsat: 6_000,
      settledAtSec: 1_700_000_100,
      settleIndex: 12,
      preimage: 'bb'.repeat(32),
      addIndex: 7,
    });
  });

  it('an expired invoice is canceled: it can never be paid', () => {
    expect(invoiceFromCln(clnInvoice({ status: 'expired' })).state).toBe(NodeInvoiceState.canceled);
  });

  it('a status it does not know is still payable, never paid', () => {
    const future = clnInvoice({ status: 'settling' as never, payIndex: 4, amountReceivedMsat: 5_000 });
    expect(invoiceFromCln(future)).toMatchObject({ state: NodeInvoiceState.open, settleIndex: 0, amountPaidMsat: 0 });
  });
});

describe('settlementFromCln', () => {
  it('a paid WaitAnyInvoice answer is a settlement', () => {
    expect(settlementFromCln(clnInvoice({ status: 'paid', payIndex: 3, amountReceivedMsat: 5_000 }))?.settleIndex).toBe(3);
  });

  it.each([clnInvoice({ status: 'expired' }), clnInvoice({ status: 'unpaid' }), clnInvoice({ status: 'paid', payIndex: null })])(
    'anything else is not (%#)',
    (invoice) => {
      expect(settlementFromCln(invoice)).toBeUndefined();
    },
  );
});

describe('latestPay', () => {
  it('is the entry with the highest created_index, whatever the order', () => {
    const latest = latestPay([clnPay({ createdIndex: 9, status: 'failed' }), clnPay({ createdIndex: 4, status: 'complete' })]);
    expect(latest).toMatchObject({ paymentIndex: 9, pay: { status: 'failed' } });
  });

  it('without created_index, the last listed (listpays lists oldest first), numbered by position', () => {
    const latest = latestPay([clnPay({ createdIndex: null, status: 'failed' }), clnPay({ createdIndex: null, status: 'pending' })]);
    expect(latest).toMatchObject({ paymentIndex: 2, pay: { status: 'pending' } });
  });

  it('is undefined when the hash was never paid', () => {
    expect(latestPay([])).toBeUndefined();
  });
});

describe('paymentFromClnPay', () => {
  it('pending is in flight: never final', () => {
    expect(paymentFromClnPay(clnPay(), 3)).toEqual({
      paymentHash: 'aa'.repeat(32),
      status: NodePaymentStatus.inFlight,
      failureReason: null,
      feeMsat: 0,
      preimage: null,
      paymentIndex: 3,
    });
  });

  it('complete succeeded, with the preimage and the fee (sent minus delivered)', () => {
    const update = paymentFromClnPay(clnPay({ status: 'complete', preimage: 'dd'.repeat(32) }), 3);
    expect(update).toMatchObject({ status: NodePaymentStatus.succeeded, feeMsat: 7, preimage: 'dd'.repeat(32) });
  });

  it('failed is final with a reason (listpays keeps none: error)', () => {
    expect(paymentFromClnPay(clnPay({ status: 'failed' }), 3)).toMatchObject({ status: NodePaymentStatus.failed, failureReason: 'error', feeMsat: 0 });
  });

  it('a status it does not know stays in flight', () => {
    expect(paymentFromClnPay(clnPay({ status: 'refunding' as never }), 3).status).toBe(NodePaymentStatus.inFlight);
  });
});

describe('decodedFromCln', () => {
  const decoded = {
    itemType: 'bolt11 invoice',
    valid: true,
    createdAtSec: 1_700_000_000,
    expirySec: 900,
    payee: '02' + 'ee'.repeat(32),
    paymentHash: 'aa'.repeat(32),
    descriptionHash: null,
    description: 'tea',
    minFinalCltvExpiry: 18,
    paymentSecret: '11'.repeat(32),
    currency: 'bcrt',
    amountMsat: 2_000,
  };

  it('maps the fields the port reads', () => {
    expect(decodedFromCln(decoded)).toEqual({
      paymentHash: 'aa'.repeat(32),
      payee: '02' + 'ee'.repeat(32),
      amountMsat: 2_000,
      description: 'tea',
      descriptionHash: null,
      createdAtSec: 1_700_000_000,
      expirySec: 900,
    });
  });

  it('an invoice with only a description hash has an empty description; no expiry field is BOLT11\'s hour', () => {
    const hashed = decodedFromCln({ ...decoded, description: null, descriptionHash: 'ff'.repeat(32), expirySec: null, amountMsat: null });
    expect(hashed).toMatchObject({ description: '', descriptionHash: 'ff'.repeat(32), expirySec: 3_600, amountMsat: null });
  });

  it('refuses what Core Lightning could not read as a payable BOLT11', () => {
    expect(() => decodedFromCln({ ...decoded, valid: false })).toThrow(NodeError);
    expect(() => decodedFromCln({ ...decoded, paymentHash: null })).toThrow(NodeError);
  });
});

describe('balances from ListFunds', () => {
  const channel = { peerId: '03' + '11'.repeat(32), fundingTxid: '22'.repeat(32), fundingOutput: 0, connected: true, shortChannelId: '1x1x0', channelId: '33'.repeat(32) };
  const output = { txid: '44'.repeat(32), output: 0, scriptpubkey: '0014', address: null, blockheight: 100, reserved: false };
  const funds: ClnFunds = {
    channels: [
      { ...channel, state: 'ChanneldNormal', ourAmountMsat: 7_000, amountMsat: 10_000 },
      { ...channel, state: 'ChanneldNormal', ourAmountMsat: 1_000, amountMsat: 5_000 },
      { ...channel, state: 'ChanneldAwaitingLockin', ourAmountMsat: 50_000, amountMsat: 50_000 },
      { ...channel, state: 'Onchain', ourAmountMsat: 9_000, amountMsat: 9_000 },
    ],
    outputs: [
      { ...output, status: 'confirmed', amountMsat: 100_000 },
      { ...output, status: 'confirmed', amountMsat: 20_000, reserved: true },
      { ...output, status: 'unconfirmed', amountMsat: 3_000 },
      { ...output, status: 'spent', amountMsat: 900_000 },
      { ...output, status: 'immature', amountMsat: 800_000 },
    ],
  };

  it('channel balance: ours and the peers\' side of the channels in normal operation only', () => {
    expect(channelBalanceFromCln(funds)).toEqual({ outboundMsat: 8_000, inboundMsat: 7_000 });
  });

  it('on-chain: confirmed and unconfirmed unspent outputs; spent and immature ones are not counted', () => {
    expect(onchainBalanceFromCln(funds)).toEqual({ confirmedMsat: 120_000, unconfirmedMsat: 3_000 });
  });
});
