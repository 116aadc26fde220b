/**
 * One backend's side of the pipeline benchmark: a local stack on that simulator, a webhook
 * receiver, merchants and accounts, invoices ready to settle, and the timestamps each
 * settlement leaves on its way (settled, seen on the node's stream, credited, delivered).
 * benchPipelines (pipeline.ts) keeps two of these up at once and drives them in turn.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { IdPrefix, newId } from '../functions/lib/ids';
import { newInvoiceItem } from '../functions/lib/invoices/invoice';
import type { LightningNode, NodeStream } from '../functions/lib/node/lightning-node';
import type { LightningBackend } from '../functions/lib/node/node-config';
import type { NodeInvoice } from '../functions/lib/node/node-types';
import { Entity, keys } from '../functions/lib/table/keys';
import { startBenchStack, type BenchStack } from './local-stack';
import { runClosedLoop } from './stats';

const AMOUNT_MSAT = 20_000;

export interface Invoice {
  id: string;
  bolt11: string;
  paymentHash: string;
}

interface Receiver {
  url: string;
  firstDelivery: Map<string, number>;
  duplicates: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const firstDelivery = new Map<string, number>();
  const seenIds = new Set<string>();
  const receiver = { duplicates: 0 };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const at = performance.now();
      try {
        const event = JSON.parse(body) as { id: string; type: string; data: { object: { id: string } } };
        if (seenIds.has(event.id)) receiver.duplicates++;
        seenIds.add(event.id);
        if (event.type === 'invoice.paid' && !firstDelivery.has(event.data.object.id)) firstDelivery.set(event.data.object.id, at);
      } catch {
        // not ours
      }
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    firstDelivery,
    get duplicates() {
      return receiver.duplicates;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface PipelineRig {
  backend: LightningBackend;
  stack: BenchStack<LightningBackend>;
  /** performance.now() per invoice id: the simulator settled it (just before payInvoice). */
  settledAt: Map<string, number>;
  /** Per payment hash: a stream of the bench's own on the node (as the bridge's) reported it. */
  streamSeenAt: Map<string, number>;
  /** Per invoice id: the first invoice.paid delivery reached the receiver. */
  firstDelivery: Map<string, number>;
  webhookDuplicates(): number;
  /** Makes `count` invoices on the node and stores the items POST /v1/invoices writes. */
  createInvoices(count: number): Promise<Invoice[]>;
  settle(invoice: Invoice): void;
  stop(): Promise<void>;
}

export async function openPipelineRig(backend: LightningBackend): Promise<PipelineRig> {
  const stack = await startBenchStack(`pipeline-${backend}`, backend);
  const stops: Array<() => Promise<void> | void> = [() => stack.stop()];
  const stop = async () => {
    for (const each of stops.reverse()) await each();
  };
  try {
    const receiver = await startReceiver();
    stops.push(() => receiver.close());
    const node: LightningNode = await stack.connectInvoiceNode();
    stops.push(() => node.close());
    const streamSeenAt = await watchSettlements(node.subscribeSettlements(0), stops);

    const owners: Array<{ merchantId: string; accountId: string }> = [];
    for (let m = 0; m < 4; m++) {
      const merchant = await stack.newMerchant(`Pipeline shop ${m}`);
      const endpoint = await stack.api('POST', '/v1/webhook-endpoints', merchant.secret_key, { url: `${receiver.url}/m${m}`, events: ['invoice.paid'] });
      if (endpoint.status !== 201) throw new Error(`webhook endpoint: ${endpoint.status} ${JSON.stringify(endpoint.body)}`);
      owners.push({ merchantId: merchant.merchant_id, accountId: merchant.default_account_id });
      for (let a = 0; a < 7; a++) {
        const account = await stack.api<{ id: string }>('POST', '/v1/accounts', merchant.secret_key, { label: `a${a}` });
        owners.push({ merchantId: merchant.merchant_id, accountId: account.body.id });
      }
    }

    const settledAt = new Map<string, number>();
    return {
      backend,
      stack,
      settledAt,
      streamSeenAt,
      firstDelivery: receiver.firstDelivery,
      webhookDuplicates: () => receiver.duplicates,
      createInvoices: (count) => createInvoices(stack, node, count, owners),
      settle(invoice) {
        settledAt.set(invoice.id, performance.now());
        const paid = stack.sim.payInvoice(invoice.bolt11);
        if (paid.status !== 'settled') throw new Error(`simulator did not settle ${invoice.id}: ${paid.error ?? paid.status}`);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Reads the node's settlement stream in the background; the stage "node → stream" of every settlement. */
async function watchSettlements(stream: NodeStream<NodeInvoice>, stops: Array<() => Promise<void> | void>): Promise<Map<string, number>> {
  const seenAt = new Map<string, number>();
  const reading = (async () => {
    for await (const settlement of stream) if (!seenAt.has(settlement.paymentHash)) seenAt.set(settlement.paymentHash, performance.now());
  })().catch(() => undefined);
  stops.push(async () => {
    stream.cancel();
    await reading;
  });
  return seenAt;
}

async function createInvoices(s: BenchStack<LightningBackend>, node: LightningNode, count: number, owners: Array<{ merchantId: string; accountId: string }>): Promise<Invoice[]> {
  const invoices: Invoice[] = [];
  const items: Record<string, unknown>[] = [];
  await runClosedLoop(count, 16, async (i) => {
    const owner = owners[i % owners.length]!;
    const id = newId(IdPrefix.invoice);
    const added = await node.createInvoice({ label: id, amountMsat: AMOUNT_MSAT, expirySec: 3600 });
    const now = new Date();
    items.push(
      newInvoiceItem({
        id,
        merchantId: owner.merchantId,
        accountId: owner.accountId,
        amountMsat: AMOUNT_MSAT,
        bolt11: added.bolt11,
        paymentHash: added.paymentHash,
        expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
        checkoutUrl: `${s.apiUrl}/checkout/${id}`,
        createdAt: now.toISOString(),
      }) as unknown as Record<string, unknown>,
      { ...keys.invoicePaymentHash(added.paymentHash), entity: Entity.invoicePaymentHash, invoice_id: id, merchant_id: owner.merchantId },
    );
    invoices.push({ id, bolt11: added.bolt11, paymentHash: added.paymentHash });
  });
  const batches: Record<string, unknown>[][] = [];
  for (let start = 0; start < items.length; start += 25) batches.push(items.slice(start, start + 25));
  await runClosedLoop(batches.length, 4, async (i) => {
    let requests = batches[i]!.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      const result = await s.table.doc.send(new BatchWriteCommand({ RequestItems: { [s.tableName]: requests } }));
      requests = (result.UnprocessedItems?.[s.tableName] ?? []) as typeof requests;
      if (requests.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  });
  return invoices;
}
