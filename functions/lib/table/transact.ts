import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { backoffDelayMs, sleep } from '../runtime/backoff';
import type { Table } from './client';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Why one item of a cancelled transaction was refused, with the item as it was (ALL_OLD). */
export interface CancellationReason {
  code: string;
  item: Record<string, unknown> | undefined;
}

/** A transaction refused because a condition failed: final, never retried. */
export class TransactionRefusedError extends Error {
  constructor(readonly reasons: CancellationReason[], options?: ErrorOptions) {
    super(`transaction refused: ${reasons.map((reason) => reason.code).join(', ')}`, options);
    this.name = 'TransactionRefusedError';
  }

  /** True when the item at `index` (in TransactItems order) failed its condition. */
  failedAt(index: number): boolean {
    return this.reasons[index]?.code === 'ConditionalCheckFailed';
  }

  itemAt<T>(index: number): T | undefined {
    return this.reasons[index]?.item as T | undefined;
  }
}

export class TransactionConflictError extends Error {
  constructor(attempts: number, options?: ErrorOptions) {
    super(`transaction still conflicting after ${attempts} attempts`, options);
    this.name = 'TransactionConflictError';
  }
}

export interface TransactOptions {
  /** @default 12 */
  maxAttempts?: number;
  /** @default 10 */
  baseDelayMs?: number;
  /** @default 1000 */
  maxDelayMs?: number;
  /** Called before every retry: benchmarks count conflicts with it. */
  onConflict?: (attempt: number) => void;
}

/** Every ledger write goes through here, so all of them count their conflict retries. */
export const transactStats = { conflictRetries: 0 };

/**
 * TransactWriteItems with every item asking for ALL_OLD on a failed condition, so the
 * caller learns why without a second read. Conflicts with a concurrent transaction are
 * retried with exponential backoff and full jitter; failed conditions are not.
 */
export async function transactWrite(table: Table, items: TransactItem[], options: TransactOptions = {}): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 12;
  const baseDelayMs = options.baseDelayMs ?? 10;
  const maxDelayMs = options.maxDelayMs ?? 1000;
  const transactItems = items.map(withAllOldOnFailure);
  for (let attempt = 1; ; attempt++) {
    try {
      await table.doc.send(new TransactWriteCommand({ TransactItems: transactItems }));
      return;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = (error.CancellationReasons ?? []).map((reason) => ({
        code: reason.Code ?? 'None',
        item: reason.Item ? unmarshall(reason.Item) : undefined,
      }));
      if (reasons.some((reason) => reason.code === 'ConditionalCheckFailed')) {
        throw new TransactionRefusedError(reasons, { cause: error });
      }
      if (!reasons.some((reason) => reason.code === 'TransactionConflict' || reason.code === 'ThrottlingError')) throw error;
      if (attempt >= maxAttempts) throw new TransactionConflictError(attempt, { cause: error });
      transactStats.conflictRetries++;
      options.onConflict?.(attempt);
      await sleep(backoffDelayMs(attempt, { baseMs: baseDelayMs, maxMs: maxDelayMs }));
    }
  }
}

function withAllOldOnFailure(item: TransactItem): TransactItem {
  if (item.Put) return { Put: { ...item.Put, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } };
  if (item.Update) return { Update: { ...item.Update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } };
  if (item.Delete) return { Delete: { ...item.Delete, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } };
  if (item.ConditionCheck) return { ConditionCheck: { ...item.ConditionCheck, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } };
  return item;
}
