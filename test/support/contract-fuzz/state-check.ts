import type { Table } from '../../../functions/lib/table/client';
import { ledgerSum, readAccount } from '../ledger-fixtures';
import type { TableChange } from './table-changes';

// "Every non-2xx answer ... changed nothing" (the Error schema), and money stays consistent
// when an answer did change something.

/** Bookkeeping that any counted request may write: the merchant's rate-limit window and Idempotency-Key records. */
const isBookkeeping = (change: TableChange): boolean => change.pk.startsWith('RATE_LIMIT#') || change.pk.includes('#IDEMPOTENCY#');

export const meaningfulChanges = (changes: TableChange[]): TableChange[] => changes.filter((change) => !isBookkeeping(change));

export async function stateContradictions(status: number, changes: TableChange[], table: Table): Promise<string[]> {
  const changed = meaningfulChanges(changes);
  if (status >= 300) {
    if (changed.length === 0) return [];
    return [`a ${status} answer changed the table: ${changed.slice(0, 8).map((change) => `${change.event} ${change.pk} ${change.sk}`).join('; ')}`];
  }
  // Invariants 1 and 2 for every account the request touched.
  const accountIds = new Set(changed.filter((change) => change.pk.startsWith('ACCOUNT#')).map((change) => change.pk.slice('ACCOUNT#'.length)));
  const problems: string[] = [];
  for (const accountId of accountIds) {
    const account = await readAccount(table, accountId);
    const sum = await ledgerSum(table, accountId);
    if (account.balance_msat < 0) problems.push(`account ${accountId} has a negative balance: ${account.balance_msat}`);
    if (sum !== account.balance_msat) problems.push(`account ${accountId}: ledger sum ${sum} ≠ balance ${account.balance_msat}`);
  }
  return problems;
}
