import type { Table } from '../table/client';
import { keys } from '../table/keys';
import type { TransactItem } from '../table/transact';
import { AmountOverflowError, isMsat } from '../money';
import { IdPrefix, newId } from '../ids';
import { newLedgerEntryItem, type LedgerEntryType } from './ledger-entry';

// Named conditions: the invariants each write is guarded by.
const accountBelongsToMerchant = 'attribute_exists(pk) AND merchant_id = :merchantId';
const balanceCoversDebit = 'balance_msat >= :debit';
const creditKeepsBalanceSafe = 'attribute_exists(pk) AND balance_msat <= :maxBefore';
const isNew = 'attribute_not_exists(pk)';

export function assertPositiveMsat(amountMsat: number, what: string): void {
  if (!isMsat(amountMsat) || amountMsat <= 0) throw new RangeError(`${what} must be a positive safe integer of msat, got ${amountMsat}`);
}

/** Debit, refused unless the account is the merchant's and its balance covers it (invariant 1). */
export function debitAccount(table: Table, input: { accountId: string; merchantId: string; amountMsat: number }): TransactItem {
  assertPositiveMsat(input.amountMsat, 'debit');
  return {
    Update: {
      TableName: table.name,
      Key: keys.account(input.accountId),
      UpdateExpression: 'SET balance_msat = balance_msat - :debit',
      ConditionExpression: `${accountBelongsToMerchant} AND ${balanceCoversDebit}`,
      ExpressionAttributeValues: { ':debit': input.amountMsat, ':merchantId': input.merchantId },
    },
  };
}

/** Credit, refused when the account is missing or the balance would stop being a safe integer. */
export function creditAccount(table: Table, input: { accountId: string; merchantId?: string; amountMsat: number }): TransactItem {
  assertPositiveMsat(input.amountMsat, 'credit');
  const maxBefore = Number.MAX_SAFE_INTEGER - input.amountMsat;
  const values: Record<string, unknown> = { ':credit': input.amountMsat, ':maxBefore': maxBefore };
  let condition = creditKeepsBalanceSafe;
  if (input.merchantId !== undefined) {
    condition = `${accountBelongsToMerchant} AND balance_msat <= :maxBefore`;
    values[':merchantId'] = input.merchantId;
  }
  return {
    Update: {
      TableName: table.name,
      Key: keys.account(input.accountId),
      UpdateExpression: 'SET balance_msat = balance_msat + :credit',
      ConditionExpression: condition,
      ExpressionAttributeValues: values,
    },
  };
}

/** Explains a refused credit: the account is gone, or the amount would overflow. */
export function creditRefusal(oldAccount: { balance_msat?: number } | undefined): Error {
  return oldAccount ? new AmountOverflowError() : new Error('account to credit does not exist');
}

export function putNew(table: Table, item: object): TransactItem {
  return { Put: { TableName: table.name, Item: item as Record<string, unknown>, ConditionExpression: isNew } };
}

/** A ledger entry for the account, always written with the balance change it explains (invariant 2). */
export function appendLedgerEntry(
  table: Table,
  input: { accountId: string; merchantId: string; type: LedgerEntryType; amountMsat: number; referenceId: string; at: Date },
): TransactItem {
  const id = newId(IdPrefix.ledgerEntry, input.at.getTime());
  return putNew(
    table,
    newLedgerEntryItem({
      id,
      accountId: input.accountId,
      merchantId: input.merchantId,
      type: input.type,
      amountMsat: input.amountMsat,
      referenceId: input.referenceId,
      createdAt: input.at.toISOString(),
    }),
  );
}
