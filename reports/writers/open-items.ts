import { formatBtc } from '../btc';
import { CsvFile, csvRecord, type CsvValue } from '../csv';
import type { FailedDelivery } from '../collect/deliveries';
import type { InvoiceRecord, WithdrawalRecord } from '../items';

export const OPEN_ITEM_COLUMNS = ['kind', 'merchant_id', 'object_id', 'account_id', 'status', 'amount_msat', 'amount_btc', 'since', 'age_minutes', 'detail'] as const;

export const OpenItemKind = {
  staleWithdrawal: 'withdrawal_not_final',
  paidAfterExpiry: 'invoice_paid_after_expiry',
  failedDelivery: 'webhook_delivery_failed',
} as const;

/** A withdrawal still pending or in flight this long after it was created is worth a look. */
export const STALE_WITHDRAWAL_MS = 60 * 60 * 1000;

const minutesBetween = (fromIso: string, toIso: string) => Math.floor((Date.parse(toIso) - Date.parse(fromIso)) / 60_000);

const KIND_ORDER: Record<string, number> = { [OpenItemKind.staleWithdrawal]: 0, [OpenItemKind.paidAfterExpiry]: 1, [OpenItemKind.failedDelivery]: 2 };

/**
 * open-items.csv: things finance should look at. Rows are kept until the end and written in
 * a stable order (kind, then since, then id), so two reports of the same data are the same
 * file whatever order the items came in. They are few in a healthy ledger, and in the worst
 * case one per withdrawal or invoice: within the report's O(objects) bound.
 */
export class OpenItemsWriter {
  private readonly rows: string[] = [];
  private closed = false;
  readonly counts: Record<string, number> = { [OpenItemKind.staleWithdrawal]: 0, [OpenItemKind.paidAfterExpiry]: 0, [OpenItemKind.failedDelivery]: 0 };

  constructor(
    private readonly path: string,
    private readonly asOf: string,
  ) {}

  private add(values: CsvValue[]): undefined {
    const [kind, , objectId, , , , , since] = values;
    this.counts[String(kind)]!++;
    // Sort key, NUL, record: plain string order is (kind, since, id) order.
    this.rows.push(`${KIND_ORDER[String(kind)]} ${String(since ?? '')} ${String(objectId)}\u0000${csvRecord(values)}`);
    return undefined;
  }

  /** Pending or in flight for over an hour at the report's as-of time. */
  isStale(withdrawal: WithdrawalRecord): boolean {
    return (withdrawal.status === 'pending' || withdrawal.status === 'in_flight') && Date.parse(this.asOf) - Date.parse(withdrawal.created_at) > STALE_WITHDRAWAL_MS;
  }

  staleWithdrawal(withdrawal: WithdrawalRecord): undefined {
    const amount = BigInt(withdrawal.amount_msat);
    return this.add([
      OpenItemKind.staleWithdrawal,
      withdrawal.merchant_id,
      withdrawal.id,
      withdrawal.account_id,
      withdrawal.status,
      amount,
      formatBtc(amount),
      withdrawal.created_at,
      minutesBetween(withdrawal.created_at, this.asOf),
      `${withdrawal.status} since creation; fee reserve ${withdrawal.fee_reserve_msat} msat held; payment hash ${withdrawal.payment_hash}`,
    ]);
  }

  paidAfterExpiry(invoice: InvoiceRecord & { paid_at: string }): undefined {
    const amount = BigInt(invoice.amount_paid_msat ?? invoice.amount_msat);
    return this.add([
      OpenItemKind.paidAfterExpiry,
      invoice.merchant_id,
      invoice.id,
      invoice.account_id,
      invoice.status,
      amount,
      formatBtc(amount),
      invoice.paid_at,
      minutesBetween(invoice.paid_at, this.asOf),
      `expired at ${invoice.expires_at}, paid ${minutesBetween(invoice.expires_at, invoice.paid_at)} minutes later${invoice.paid_internally ? ' (internally)' : ''}; invoice amount ${invoice.amount_msat} msat`,
    ]);
  }

  failedDelivery(delivery: FailedDelivery): undefined {
    const response = delivery.responseStatus === null ? 'no response' : `HTTP ${delivery.responseStatus}`;
    return this.add([
      OpenItemKind.failedDelivery,
      delivery.merchantId,
      delivery.eventId,
      null,
      'failed',
      null,
      null,
      delivery.attemptedAt,
      delivery.attemptedAt === null ? null : minutesBetween(delivery.attemptedAt, this.asOf),
      `endpoint ${delivery.endpointId}: attempt ${delivery.attempt} failed (${response}${delivery.error ? `: ${delivery.error}` : ''}); ${delivery.failedAttempts} failed attempt(s) seen`,
    ]);
  }

  get rowCount(): number {
    return this.rows.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.rows.sort();
    const csv = new CsvFile(this.path, OPEN_ITEM_COLUMNS);
    try {
      for (const row of this.rows) await csv.push(row.slice(row.indexOf('\u0000') + 1));
      await csv.close();
    } catch (error) {
      csv.destroy();
      throw error;
    }
  }
}
