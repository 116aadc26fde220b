import type { Table } from '../table/client';
import { NotFoundError } from '../errors';
import { findObject } from '../table/find';
import { keys } from '../table/keys';
import type { TransferItem } from './transfer';

/** The merchant's transfer, or 404 — identically for a missing id and another merchant's. */
export async function getTransfer(table: Table, merchantId: string, transferId: string): Promise<TransferItem> {
  const transfer = await findObject<TransferItem>(table, keys.transfer(transferId));
  if (!transfer || transfer.merchant_id !== merchantId) throw new NotFoundError(`No such transfer: ${transferId}`);
  return transfer;
}
