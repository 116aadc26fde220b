import { formatBtc } from '../btc';
import { CsvFile } from '../csv';
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

/** open-items.csv: things finance should look at, written as they are found. */
export class OpenItemsWriter {
  private readonly csv: CsvFile;
  readonly counts: Record<string, number> = { [OpenItemKind.staleWithdrawal]: 0, [OpenItemKind.paidAfterExpiry]: 0, [OpenItemKind.failedDelivery]: 0 };

  constructor(
    path: string,
    private readonly asOf: string,
  ) {
    this.csv = new CsvFile(path, OPEN_ITEM_COLUMNS);
  }

  /** Pending or in flight for over an hour at the report's as-of time. */
  isStale(withdrawal: WithdrawalRecord): boolean {
    return (withdrawal.status === 'pending' || withdrawal.status === 'in_flight') && Date.parse(this.asOf) - Date.parse(withdrawal.created_at) > STALE_WITHDRAWAL_MS;
  }

  async staleWithdrawal(withdrawal: WithdrawalRecord): Promise<void> {
    this.counts[OpenItemKind.staleWithdrawal]!++;
    const amount = BigInt(withdrawal.amount_msat);
    await this.csv.write([
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

  async paidAfterExpiry(invoice: InvoiceRecord & { paid_at: string }): Promise<void> {
    this.counts[OpenItemKind.paidAfterExpiry]!++;
    const amount = BigInt(invoice.amount_paid_msat ?? invoice.amount_msat);
    await this.csv.write([
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

  async failedDelivery(delivery: FailedDelivery): Promise<void> {
    this.counts[OpenItemKind.failedDelivery]!++;
    const response = delivery.responseStatus === null ? 'no response' : `HTTP ${delivery.responseStatus}`;
    await this.csv.write([
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

  get rows(): number {
    return this.csv.rowCount;
  }

  close(): Promise<void> {
    return this.csv.close();
  }

  destroy(): void {
    this.csv.destroy();
  }
}
