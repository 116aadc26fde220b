/**
 * Must show (issue 14): a consumer that fails for longer than Lambda's asynchronous retry
 * window loses nothing: the settlement is credited once the fault clears.
 *
 * Under this file's time scale (0.01) the template's settings read: Lambda's asynchronous
 * window (two retries, one and two minutes apart) is 1.8 s; the settle-invoice queue shows a
 * failed record again after its 180 s visibility timeout, 1.8 s, up to 500 receives; the
 * function times out after 0.3 s. The outage lasts until the event has outlived Lambda's
 * window more than twice (400 scaled seconds, 4 s) and has been tried at least as often as
 * Lambda would have tried it, whichever comes later: awaited, not a fixed sleep. The second
 * suite runs the same outage against the wiring the template had before (the rule's target
 * is the function itself): the event is lost, which is what proves the first suite could fail.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { BusSource, LedgerDetailType, NodeDetailType } from '../../functions/lib/bus/bus-events';
import { createTable } from '../../functions/lib/table/client';
import { createSettleInvoiceHandler, type InvoiceSettledEvent } from '../../functions/settle-invoice/settle-invoice';
import { delivery, scaleSeconds } from '../../infra/delivery';
import { LAMBDA_ASYNC_DEFAULTS } from '../../infra/local/aws/async-invoke';
import { SETTLE_INVOICE_QUEUE, SETTLE_INVOICE_RULE } from '../../infra/local/pipeline';
import { expectLedgerConsistent } from '../support/ledger-fixtures';
import { usePipelineHarness, waitUntil, type PipelineHarness } from '../support/pipeline-harness';
import { dynamoDbEndpoint } from '../support/table';

const scale = 0.01;
/** Lambda's asynchronous invoke gives up this long after the first attempt: one minute, then two. */
const LAMBDA_ASYNC_WINDOW_SEC = 60 + 120;
const OUTAGE_MS = scaleSeconds(400, scale) * 1000;
const AMOUNT_MSAT = 250_000;

/** Every write of this client fails while `outage.on`: the consumer's table is unreachable for writes. */
function breakWrites(client: Pick<DynamoDBDocumentClient, 'middlewareStack'>, outage: { on: boolean; refused: number }): void {
  client.middlewareStack.add(
    ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      if (outage.on && /Transact|Update|Put|Delete/.test(context.commandName ?? '')) {
        outage.refused++;
        throw Object.assign(new Error('outage: the table refuses writes'), { name: 'ServiceUnavailable', $fault: 'server', $metadata: {} });
      }
      return next(args);
    }) as never,
    { step: 'initialize', name: 'consumerOutage' },
  );
}

async function depositsOf(h: PipelineHarness, accountId: string, invoiceId: string) {
  return (await h.ledger(accountId)).filter((entry) => entry.type === 'deposit' && entry.reference_id === invoiceId);
}

/** Pays an invoice while writes fail, and keeps them failing for OUTAGE_MS and until `triedEnough` (Lambda's attempts happened). */
async function payDuringOutage(h: PipelineHarness, outage: { on: boolean; refused: number }, triedEnough: () => boolean | Promise<boolean>) {
  const { merchantId, accountId } = await h.newAccount();
  const invoice = await h.createInvoice({ merchantId, accountId, amountMsat: AMOUNT_MSAT });
  outage.on = true;
  const startedAt = Date.now();
  expect(h.sim.payInvoice(invoice.bolt11).status).toBe('settled');
  await waitUntil(() => h.events.some((e) => e['detail-type'] === NodeDetailType.invoiceSettled && (e.detail as { payment_hash: string }).payment_hash === invoice.payment_hash), {
    message: 'settlement published',
  });
  await waitUntil(async () => Date.now() - startedAt >= OUTAGE_MS && (await triedEnough()), { timeoutMs: OUTAGE_MS + 20_000, intervalMs: 100, message: 'the outage lasted' });
  return { accountId, invoice, startedAt };
}

describe('settle-invoice behind its queue (the template now): an outage past Lambda\'s retry window loses nothing', () => {
  const h = usePipelineHarness({ timeScale: scale });

  it('credits the settlement once the fault clears, exactly once, with one invoice.paid', { timeout: 90_000 }, async () => {
    expect(OUTAGE_MS).toBeGreaterThan(2 * scaleSeconds(LAMBDA_ASYNC_WINDOW_SEC, scale) * 1000);
    const outage = { on: false, refused: 0 };
    breakWrites(h.pipeline.table.doc, outage);

    // Lambda's three attempts have all failed once the record is received a fourth time.
    const lambdaAttempts = LAMBDA_ASYNC_DEFAULTS.retryAttempts + 1;
    const { accountId, invoice } = await payDuringOutage(h, outage, async () => ((await h.pipeline.settleInvoiceQueue.peekAll())[0]?.receive_count ?? 0) > lambdaAttempts);
    // As many failed receives as Lambda's three asynchronous attempts (after which it would discard), and still in the queue.
    const [waiting] = await h.pipeline.settleInvoiceQueue.peekAll();
    expect(waiting?.receive_count).toBeGreaterThanOrEqual(LAMBDA_ASYNC_DEFAULTS.retryAttempts + 1);
    expect(waiting!.receive_count).toBeLessThan(delivery.queues.settleInvoice.maxReceiveCount);
    expect(outage.refused).toBeGreaterThan(0);
    expect((await h.readInvoice(invoice.id)).status).toBe('pending');
    outage.on = false;

    await waitUntil(async () => (await h.readInvoice(invoice.id)).status === 'paid', { timeoutMs: 30_000, message: 'credited after the outage' });
    await waitUntil(async () => (await h.pipeline.settleInvoiceQueue.peekAll()).length === 0, { message: 'settle queue drained' });
    expect(await h.balance(accountId)).toBe(AMOUNT_MSAT);
    expect(await depositsOf(h, accountId, invoice.id)).toHaveLength(1);
    expect(await h.pipeline.queues.deadLetterQueue(SETTLE_INVOICE_QUEUE).peekAll()).toEqual([]);
    const paidEvents = await waitUntil(() => {
      const found = h.events.filter((e) => e['detail-type'] === LedgerDetailType.domainEvent && JSON.stringify(e.detail).includes(invoice.id));
      return found.length > 0 ? found : undefined;
    });
    expect(paidEvents).toHaveLength(1);
    await expectLedgerConsistent(h.table, [accountId]);
  });
});

describe('settle-invoice as the rule\'s own target (the template before): the same outage loses the settlement', () => {
  const h = usePipelineHarness({ timeScale: scale });

  it('Lambda retries twice, then discards the event; the invoice is never credited', { timeout: 90_000 }, async () => {
    const outage = { on: false, refused: 0 };
    const consumerTable = createTable(h.table.name, { endpoint: dynamoDbEndpoint(), region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    breakWrites(consumerTable.doc, outage);
    const settle = createSettleInvoiceHandler({ table: consumerTable, log: { warn: () => {}, error: () => {}, info: () => {}, debug: () => {} } });
    let attempts = 0;
    let failed = 0;
    await h.pipeline.bus.removeRule(SETTLE_INVOICE_RULE);
    h.pipeline.addRule({
      name: 'settle-invoice-async',
      pattern: { source: [BusSource.node], 'detail-type': [NodeDetailType.invoiceSettled] },
      // No EventInvokeConfig, no destination: Lambda's defaults.
      target: {
        handler: async (event) => {
          attempts++;
          await settle(event as InvoiceSettledEvent).catch((error: unknown) => {
            failed++;
            throw error;
          });
        },
      },
    });
    try {
      const { accountId, invoice } = await payDuringOutage(h, outage, () => failed >= LAMBDA_ASYNC_DEFAULTS.retryAttempts + 1);
      await waitUntil(() => attempts === LAMBDA_ASYNC_DEFAULTS.retryAttempts + 1, { message: 'three attempts' });
      outage.on = false;
      // Nothing is left to deliver it: Lambda's queue for the function is empty, the settle queue was never fed.
      await waitUntil(async () => (await h.pipeline.queues.queue('rule.settle-invoice-async').peekAll()).length === 0, { message: 'event gone' });
      expect(attempts).toBe(LAMBDA_ASYNC_DEFAULTS.retryAttempts + 1);
      expect((await h.readInvoice(invoice.id)).status).toBe('pending');
      expect(await h.balance(accountId)).toBe(0);
    } finally {
      consumerTable.doc.destroy();
    }
  });
});
