import { createHash } from 'node:crypto';
import { decodeInvoice } from '../bolt11-codec';
import type { NodeKey } from '../node-key';
import { OutsideNetwork } from '../outside-network';
import type { OutsideInvoiceRecord } from '../state/records';
import { ForeignOutsideInvoiceError } from './http-problem';

/**
 * The outside network of one simulator among several of a local stack. Every simulator of a
 * stack stands for one of our nodes on the same network, so an outside invoice one of them
 * created must be payable, with the same outcome and fee, from any of them: the others adopt
 * it (same outside peer key, same preimage) through the control API.
 */
export class SiblingOutsideNetwork extends OutsideNetwork {
  private readonly adopted = new Map<string, OutsideInvoiceRecord>();

  constructor(
    private readonly records: { outsideInvoices: OutsideInvoiceRecord[] },
    private readonly persist: () => void,
    peerKey: NodeKey,
  ) {
    super(records, persist, peerKey);
  }

  override find(paymentHash: string): OutsideInvoiceRecord | undefined {
    return super.find(paymentHash) ?? this.adopted.get(paymentHash);
  }

  /** Records a sibling's outside invoice; the same one twice is a no-op. */
  adopt(record: OutsideInvoiceRecord): void {
    const known = this.find(record.paymentHash);
    if (known) {
      if (known.paymentRequest !== record.paymentRequest) throw new ForeignOutsideInvoiceError('another outside invoice has this payment hash');
      return;
    }
    if (createHash('sha256').update(Buffer.from(record.preimage, 'hex')).digest('hex') !== record.paymentHash) {
      throw new ForeignOutsideInvoiceError('preimage does not hash to payment_hash');
    }
    let decoded: ReturnType<typeof decodeInvoice>;
    try {
      decoded = decodeInvoice(record.paymentRequest);
    } catch {
      throw new ForeignOutsideInvoiceError('bolt11 is not a valid invoice');
    }
    if (decoded.paymentHash !== record.paymentHash) throw new ForeignOutsideInvoiceError('bolt11 is for another payment hash');
    // Our node only routes to its own outside peer: a sibling with another peer key was started apart from this stack.
    if (decoded.payee !== this.peerKey.pubkey) {
      throw new ForeignOutsideInvoiceError('the invoice is of another outside peer: start the simulators of one stack with the same outside peer key');
    }
    this.records.outsideInvoices.push(record);
    this.adopted.set(record.paymentHash, record);
    this.persist();
  }
}
