import { formatBtc } from '../btc';
import { CsvFile } from '../csv';
import type { AccountBook } from '../collect/accounts';

export const BALANCE_COLUMNS = [
  'merchant_id',
  'merchant_name',
  'account_id',
  'external_id',
  'label',
  'entries',
  'opening_msat',
  'opening_btc',
  'period_net_msat',
  'period_net_btc',
  'closing_msat',
  'closing_btc',
  'ledger_sum_msat',
  'ledger_sum_btc',
  'balance_msat',
  'balance_btc',
  'difference_msat',
  'difference_btc',
  'status',
] as const;

export const BalanceStatus = { ok: 'ok', mismatch: 'MISMATCH', negative: 'NEGATIVE', noAccount: 'NO_ACCOUNT_ITEM' } as const;

/** balances.csv: one row per account, ordered by merchant then account. */
export async function writeBalances(path: string, book: AccountBook, merchantNames: Map<string, string>): Promise<void> {
  const csv = new CsvFile(path, BALANCE_COLUMNS);
  try {
    const rows = [...book.accounts].sort(([idA, a], [idB, b]) => {
      const merchantA = a.merchantId ?? a.entryMerchantId ?? '';
      const merchantB = b.merchantId ?? b.entryMerchantId ?? '';
      if (merchantA !== merchantB) return merchantA < merchantB ? -1 : 1;
      return idA < idB ? -1 : idA > idB ? 1 : 0;
    });
    for (const [accountId, account] of rows) {
      const merchantId = account.merchantId ?? account.entryMerchantId;
      const difference = account.balanceMsat - account.ledgerSumMsat;
      const status = !account.hasItem
        ? BalanceStatus.noAccount
        : difference !== 0n
          ? BalanceStatus.mismatch
          : account.balanceMsat < 0n
            ? BalanceStatus.negative
            : BalanceStatus.ok;
      const periodNet = account.closingMsat - account.openingMsat;
      await csv.write([
        merchantId,
        merchantId === null ? null : merchantNames.get(merchantId),
        accountId,
        account.externalId,
        account.label,
        account.entries,
        account.openingMsat,
        formatBtc(account.openingMsat),
        periodNet,
        formatBtc(periodNet),
        account.closingMsat,
        formatBtc(account.closingMsat),
        account.ledgerSumMsat,
        formatBtc(account.ledgerSumMsat),
        account.hasItem ? account.balanceMsat : null,
        account.hasItem ? formatBtc(account.balanceMsat) : null,
        account.hasItem ? difference : null,
        account.hasItem ? formatBtc(difference) : null,
        status,
      ]);
    }
    await csv.close();
  } catch (error) {
    csv.destroy();
    throw error;
  }
}
