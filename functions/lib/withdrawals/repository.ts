import { NotFoundError } from '../errors';
import type { Table } from '../table/client';
import { findObject } from '../table/find';
import { keys } from '../table/keys';
import type { WithdrawalItem } from './withdrawal';

/** The merchant's withdrawal, or 404 — identically for a missing id and another merchant's. */
export async function getWithdrawal(table: Table, merchantId: string, withdrawalId: string): Promise<WithdrawalItem> {
  const withdrawal = await findObject<WithdrawalItem>(table, keys.withdrawal(withdrawalId));
  if (!withdrawal || withdrawal.merchant_id !== merchantId) throw new NotFoundError(`No such withdrawal: ${withdrawalId}`);
  return withdrawal;
}
