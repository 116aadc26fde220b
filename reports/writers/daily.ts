import { formatBtc } from '../btc';
import { CsvFile } from '../csv';
import type { DayRow } from '../collect/daily';
import type { Sum } from '../collect/totals';

export const DAILY_COLUMNS = [
  'date',
  'merchant_id',
  'merchant_name',
  'deposits_count',
  'deposits_msat',
  'deposits_btc',
  'withdrawals_count',
  'withdrawals_msat',
  'withdrawals_btc',
  'refunds_count',
  'refunds_msat',
  'refunds_btc',
  'fees_count',
  'fees_msat',
  'fees_btc',
  'fee_reserves_msat',
  'fee_reserves_btc',
  'fee_refunds_msat',
  'fee_refunds_btc',
  'transfers_count',
  'transfers_msat',
  'transfers_btc',
  'net_msat',
  'net_btc',
] as const;

const counted = (sum: Sum) => [sum.count, sum.msat, formatBtc(sum.msat)];
const amount = (sum: Sum) => [sum.msat, formatBtc(sum.msat)];

/** daily.csv: per UTC day and merchant, in date then merchant order. */
export async function writeDaily(path: string, rows: DayRow[], merchantNames: Map<string, string>): Promise<void> {
  const csv = new CsvFile(path, DAILY_COLUMNS);
  try {
    for (const row of rows) {
      await csv.write([
        row.day,
        row.merchantId,
        merchantNames.get(row.merchantId),
        ...counted(row.deposits),
        ...counted(row.withdrawals),
        ...counted(row.refunds),
        ...counted(row.fees),
        ...amount(row.feeReserves),
        ...amount(row.feeRefunds),
        ...counted(row.transfers),
        row.netMsat,
        formatBtc(row.netMsat),
      ]);
    }
    await csv.close();
  } catch (error) {
    csv.destroy();
    throw error;
  }
}
