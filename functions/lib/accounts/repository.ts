import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { AlreadyExistsError, NotFoundError } from '../errors';
import { IdPrefix, newId } from '../ids';
import type { LedgerEntryItem } from '../ledger/ledger-entry';
import type { Table } from '../table/client';
import { Entity, keys } from '../table/keys';
import { TransactionRefusedError, transactWrite } from '../table/transact';
import { putNew } from '../ledger/writes';
import { queryAll } from '../table/query-all';
import { newAccountItem, type AccountItem } from './account';

export async function createAccount(
  table: Table,
  input: { merchantId: string; externalId?: string | null; label?: string | null; id?: string; now?: Date },
): Promise<AccountItem> {
  const now = input.now ?? new Date();
  const account = newAccountItem({
    id: input.id ?? newId(IdPrefix.account, now.getTime()),
    merchantId: input.merchantId,
    externalId: input.externalId ?? null,
    label: input.label ?? null,
    createdAt: now.toISOString(),
  });
  const items = [putNew(table, account)];
  if (account.external_id !== null) {
    // external_id is unique per merchant: a marker item, claimed in the same transaction.
    items.push(
      putNew(table, {
        ...keys.accountExternalId(input.merchantId, account.external_id),
        entity: Entity.accountExternalId,
        account_id: account.id,
        merchant_id: input.merchantId,
      }),
    );
  }
  try {
    await transactWrite(table, items);
  } catch (error) {
    if (error instanceof TransactionRefusedError && error.failedAt(1)) {
      throw new AlreadyExistsError(`An account with external_id ${JSON.stringify(account.external_id)} already exists`, { param: 'external_id' });
    }
    throw error;
  }
  return account;
}

/** The merchant's account, or 404 — identically for a missing id and another merchant's. */
export async function getAccount(table: Table, merchantId: string, accountId: string, param?: string): Promise<AccountItem> {
  const { Item } = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.account(accountId), ConsistentRead: true }));
  if (!Item || Item.merchant_id !== merchantId) throw new NotFoundError(`No such account: ${accountId}`, param ? { param } : undefined);
  return Item as AccountItem;
}

export async function findAccountIdByExternalId(table: Table, merchantId: string, externalId: string): Promise<string | undefined> {
  const { Item } = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.accountExternalId(merchantId, externalId) }));
  return Item?.account_id as string | undefined;
}

/** Every ledger entry of the account, oldest first (for checks and reports; the API pages). */
export async function allLedgerEntries(table: Table, accountId: string): Promise<LedgerEntryItem[]> {
  return queryAll<LedgerEntryItem>(table, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.account(accountId).pk, ':prefix': keys.ledgerEntryPrefix },
    ConsistentRead: true,
  });
}
