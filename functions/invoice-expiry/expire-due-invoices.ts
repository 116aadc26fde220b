import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { expireInvoice } from '../lib/invoices/expire-invoice';
import type { Table } from '../lib/table/client';
import { WORK_LIST_SHARDS } from '../lib/table/keys';
import type { Clock } from '../lib/runtime/clock';
import type { Log } from '../lib/runtime/log';

export interface InvoiceExpiryDependencies {
  table: Table;
  clock: Clock;
  log: Log;
}

export interface InvoiceExpiryOptions {
  /** Invoices looked at per shard and run; the next run (a minute later) takes the rest. @default 2000 */
  maxPerShard?: number;
  /** Expiry transactions in flight per shard. @default 8 */
  concurrency?: number;
}

export interface InvoiceExpiryResult {
  examined: number;
  expired: number;
}

/**
 * Marks every pending invoice whose expires_at has passed as `expired` (with its
 * `invoice.expired` event): the sparse work list `OPEN_INVOICES#<shard>` on gsi2 holds
 * exactly the pending invoices, sorted by expiry, so each shard is one range query
 * (gsi2sk < now). The index is eventually consistent: an invoice paid a moment ago may still
 * be listed, and expireInvoice's condition on `pending` makes that a no-op.
 */
export async function expireDueInvoices(deps: InvoiceExpiryDependencies, options: InvoiceExpiryOptions = {}): Promise<InvoiceExpiryResult> {
  const now = deps.clock.now();
  const shards = Array.from({ length: WORK_LIST_SHARDS }, (_, shard) => shard);
  const results = await Promise.all(shards.map((shard) => expireShard(deps, shard, now, options)));
  const total = results.reduce((sum, result) => ({ examined: sum.examined + result.examined, expired: sum.expired + result.expired }), { examined: 0, expired: 0 });
  if (total.expired > 0) deps.log.info('invoices expired', { ...total });
  return total;
}

async function expireShard(deps: InvoiceExpiryDependencies, shard: number, now: Date, options: InvoiceExpiryOptions): Promise<InvoiceExpiryResult> {
  const maxPerShard = options.maxPerShard ?? 2000;
  const concurrency = options.concurrency ?? 8;
  const result = { examined: 0, expired: 0 };
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await deps.table.doc.send(
      new QueryCommand({
        TableName: deps.table.name,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :shard AND gsi2sk < :now',
        ExpressionAttributeValues: { ':shard': `OPEN_INVOICES#${shard}`, ':now': now.toISOString() },
        ExpressionAttributeNames: { '#id': 'id' },
        ProjectionExpression: '#id',
        Limit: Math.min(100, maxPerShard - result.examined),
        ExclusiveStartKey: startKey,
      }),
    );
    const ids = (page.Items ?? []).map((item) => String(item.id));
    for (let start = 0; start < ids.length; start += concurrency) {
      const outcomes = await Promise.all(ids.slice(start, start + concurrency).map((id) => expireOne(deps, id, now)));
      result.expired += outcomes.filter(Boolean).length;
    }
    result.examined += ids.length;
    startKey = page.LastEvaluatedKey;
  } while (startKey && result.examined < maxPerShard);
  return result;
}

async function expireOne(deps: InvoiceExpiryDependencies, invoiceId: string, now: Date): Promise<boolean> {
  try {
    return (await expireInvoice(deps.table, invoiceId, now)).kind === 'expired';
  } catch (error) {
    // One invoice's trouble must not hold up the rest; the next run tries it again.
    deps.log.error('could not expire an invoice', { invoice_id: invoiceId, error: String(error) });
    return false;
  }
}
