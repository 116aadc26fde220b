import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { NotFoundError } from '../errors';
import type { Table } from '../table/client';
import { Entity, keys } from '../table/keys';
import { findMerchant } from './repository';

/** What one request's check decided, for the answer's RateLimit-* headers. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (at least 1). */
  resetSeconds: number;
}

interface RateLimitItem {
  window_start?: number;
  request_count?: number;
  limit_override?: number;
}

/**
 * A fixed window per merchant, shared by every Lambda instance: one item per merchant
 * (`RATE_LIMIT#<mch>`, a few dozen bytes, never more than one), counted with one
 * conditional UpdateItem per request (1 WCU). The first request of a window costs a second
 * one (the failed count, then the reset); a refused request costs the one failed update and
 * changes nothing else. The item also holds the operator's per-merchant limit, so the check
 * needs no read.
 */
export class MerchantRateLimiter {
  private readonly windowSeconds: number;

  constructor(
    private readonly table: Table,
    private readonly options: { defaultLimit: number; windowSeconds?: number },
  ) {
    this.windowSeconds = options.windowSeconds ?? 1;
  }

  async take(merchantId: string, now: Date): Promise<RateLimitDecision> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    let windowStart = nowSeconds - (nowSeconds % this.windowSeconds);
    for (let look = 1; ; look++) {
      const decision = (item: RateLimitItem, allowed: boolean): RateLimitDecision => {
        const limit = item.limit_override ?? this.options.defaultLimit;
        return { allowed, limit, remaining: allowed ? Math.max(0, limit - (item.request_count ?? 0)) : 0, resetSeconds: Math.max(1, windowStart + this.windowSeconds - nowSeconds) };
      };
      let old: RateLimitItem | undefined;
      try {
        return decision(await this.count(merchantId, windowStart), true);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        old = error.Item ? (unmarshall(error.Item) as RateLimitItem) : undefined;
      }
      if (old?.window_start === windowStart) return decision(old, false);
      // Another instance's clock is ahead: count in its window.
      if (old?.window_start !== undefined && old.window_start > windowStart && look < 3) {
        windowStart = old.window_start;
        continue;
      }
      try {
        return decision(await this.openWindow(merchantId, windowStart), true);
      } catch (error) {
        // Another request opened this window first: count in it.
        if (!(error instanceof ConditionalCheckFailedException) || look >= 3) throw error;
      }
    }
  }

  /** One more request in the current window, if it is the current one and under the limit. */
  private async count(merchantId: string, windowStart: number): Promise<RateLimitItem> {
    const { Attributes } = await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: keys.rateLimit(merchantId),
        UpdateExpression: 'ADD request_count :one',
        ConditionExpression: 'window_start = :window AND ((attribute_not_exists(limit_override) AND request_count < :default) OR request_count < limit_override)',
        ExpressionAttributeValues: { ':one': 1, ':window': windowStart, ':default': this.options.defaultLimit },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return Attributes as RateLimitItem;
  }

  /** A new window, started by this request (limits are at least 1). */
  private async openWindow(merchantId: string, windowStart: number): Promise<RateLimitItem> {
    const { Attributes } = await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: keys.rateLimit(merchantId),
        UpdateExpression: 'SET entity = :entity, merchant_id = :merchantId, window_start = :window, request_count = :one',
        ConditionExpression: 'attribute_not_exists(window_start) OR window_start < :window',
        ExpressionAttributeValues: { ':entity': Entity.rateLimit, ':merchantId': merchantId, ':window': windowStart, ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes as RateLimitItem;
  }
}

/** The operator's per-merchant limit (requests per window); undefined goes back to the default. */
export async function setMerchantRateLimit(table: Table, merchantId: string, limit: number | undefined): Promise<void> {
  if (!(await findMerchant(table, merchantId))) throw new NotFoundError(`No such merchant: ${merchantId}`);
  await table.doc.send(
    new UpdateCommand({
      TableName: table.name,
      Key: keys.rateLimit(merchantId),
      ...(limit === undefined
        ? { UpdateExpression: 'REMOVE limit_override' }
        : {
            UpdateExpression: 'SET entity = :entity, merchant_id = :merchantId, limit_override = :limit',
            ExpressionAttributeValues: { ':entity': Entity.rateLimit, ':merchantId': merchantId, ':limit': limit },
          }),
    }),
  );
}
