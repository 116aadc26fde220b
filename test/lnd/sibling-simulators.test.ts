import { createHash, randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNode } from '../../functions/lib/node/connect-node';
import type { LightningNode } from '../../functions/lib/node/lightning-node';
import { readNodeConfig, type LightningBackend } from '../../functions/lib/node/node-config';
import type { PaymentUpdate } from '../../functions/lib/node/node-types';
import { nodeEnv, startNodeSimulators, type NamedNodeSimulator } from '../../infra/local/local-node';
import { encodeSignedInvoice } from '../../lnd-simulator/bolt11-codec';
import { FORWARDED_HEADER } from '../../lnd-simulator/control-api/sibling-simulators';
import { generateNodeKey } from '../../lnd-simulator/node-key';
import { makeTempDir } from './support/simulator-fixture';

const controlUrl = (node: NamedNodeSimulator) => `http://${node.simulator.host}:${node.simulator.controlPort}`;

async function control<T = Record<string, unknown>>(
  node: NamedNodeSimulator,
  method: 'GET' | 'POST',
  urlPath: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(controlUrl(node) + urlPath, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function finalUpdate(stream: AsyncIterable<PaymentUpdate>): Promise<PaymentUpdate> {
  for await (const update of stream) if (update.status !== 'in_flight') return update;
  throw new Error('the payment stream ended before the payment was final');
}

describe.each<LightningBackend>(['lnd', 'cln'])('the control APIs of two simulated nodes of one stack (%s)', (backend) => {
  let dataDir: string;
  let nodes: NamedNodeSimulator[];
  let clients: LightningNode[];
  let first: NamedNodeSimulator;
  let second: NamedNodeSimulator;
  let label = 0;
  const invoiceOn = (index: number, amountMsat = 5_000) => clients[index]!.createInvoice({ label: `sibling-${backend}-${++label}`, amountMsat, memo: 'sibling test', expirySec: 600 });

  beforeAll(async () => {
    dataDir = await makeTempDir('lnsim-siblings-');
    nodes = await startNodeSimulators(backend, 2, { dataDir, grpcPort: 0, controlPort: 0 });
    [first, second] = nodes as [NamedNodeSimulator, NamedNodeSimulator];
    clients = await Promise.all(nodes.map((node) => connectNode(readNodeConfig(nodeEnv(node.node, 'payments'), { role: 'payments' }))));
  });
  afterAll(async () => {
    for (const client of clients ?? []) client.close();
    for (const node of nodes ?? []) await node.simulator.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('names the nodes sim-1 and sim-2, with distinct node keys, one outside peer, and each other as siblings', async () => {
    const [one, two] = [await control<{ pubkey: string; outside_pubkey: string; siblings: string[] }>(first, 'GET', '/node'), await control<{ pubkey: string; outside_pubkey: string; siblings: string[] }>(second, 'GET', '/node')];

    expect(nodes.map((node) => node.id)).toEqual(['sim-1', 'sim-2']);
    expect(one.body.pubkey).toBe(first.simulator.pubkey);
    expect(two.body.pubkey).toBe(second.simulator.pubkey);
    expect(one.body.pubkey).not.toBe(two.body.pubkey);
    expect(one.body.outside_pubkey).toBe(two.body.outside_pubkey);
    expect(one.body.siblings).toEqual([controlUrl(second)]);
    expect(two.body.siblings).toEqual([controlUrl(first)]);
  });

  it('POST /pay on one node pays an invoice the other issued, on the node that issued it', async () => {
    const ofSecond = await invoiceOn(1, 7_000);
    const ofFirst = await invoiceOn(0, 3_000);

    const paidThroughFirst = await control(first, 'POST', '/pay', { bolt11: ofSecond.bolt11, amount_msat: 7_500 });
    const paidThroughSecond = await control(second, 'POST', '/pay', { bolt11: ofFirst.bolt11 });

    expect(paidThroughFirst).toEqual({ status: 200, body: { payment_hash: ofSecond.paymentHash, status: 'settled' } });
    expect(paidThroughSecond).toEqual({ status: 200, body: { payment_hash: ofFirst.paymentHash, status: 'settled' } });
    expect(await clients[1]!.lookupInvoice(ofSecond.paymentHash)).toMatchObject({ state: 'settled', amountPaidMsat: 7_500 });
    expect(await clients[0]!.lookupInvoice(ofFirst.paymentHash)).toMatchObject({ state: 'settled', amountPaidMsat: 3_000 });
    expect(await clients[0]!.lookupInvoice(ofSecond.paymentHash)).toBeUndefined();
  });

  it("passes on the issuer's refusal, and answers an invoice no node issued as a single simulator does", async () => {
    const ofSecond = await invoiceOn(1);
    await control(second, 'POST', '/pay', { bolt11: ofSecond.bolt11 });
    const outside = await control<{ bolt11: string }>(first, 'POST', '/invoices', { amount_msat: 1_000 });

    const again = await control(first, 'POST', '/pay', { bolt11: ofSecond.bolt11 });
    const notOurs = await control(second, 'POST', '/pay', { bolt11: outside.body.bolt11 });

    expect(again.body).toMatchObject({ payment_hash: ofSecond.paymentHash, status: 'failed' });
    expect(notOurs.body).toMatchObject({ status: 'failed', error: 'invoice is not for this node' });
  });

  it('answers a call a sibling passed on for itself alone, so nothing is passed on twice', async () => {
    const ofSecond = await invoiceOn(1);

    const passedOn = await control(first, 'POST', '/pay', { bolt11: ofSecond.bolt11 }, { [FORWARDED_HEADER]: '1' });

    expect(passedOn.body).toMatchObject({ status: 'failed', error: 'invoice is not for this node' });
    expect(await clients[1]!.lookupInvoice(ofSecond.paymentHash)).toMatchObject({ state: 'open' });
  });

  it('an outside invoice created on one node is paid from the other with its fee, and GET /payments counts attempts on both', async () => {
    const outside = await control<{ bolt11: string; payment_hash: string }>(first, 'POST', '/invoices', { amount_msat: 20_000, fee_msat: 9 });

    const final = await finalUpdate(clients[1]!.pay({ bolt11: outside.body.bolt11, feeLimitMsat: 100, timeoutSec: 30 }));

    expect(final).toMatchObject({ status: 'succeeded', feeMsat: 9 });
    expect((await control(first, 'GET', `/payments/${outside.body.payment_hash}`)).body).toEqual({ attempts: 1, settled: true });
    expect((await control(first, 'GET', `/payments/${outside.body.payment_hash}`, undefined, { [FORWARDED_HEADER]: '1' })).body).toEqual({ attempts: 0, settled: false });
  });

  it('resolves a held payment through the control API of the node that did not send it', async () => {
    const outside = await control<{ bolt11: string; payment_hash: string }>(second, 'POST', '/invoices', { amount_msat: 4_000, outcome: 'hang' });
    const stream = clients[0]!.pay({ bolt11: outside.body.bolt11, feeLimitMsat: 100, timeoutSec: 30 });
    const final = finalUpdate(stream);
    await expect.poll(async () => (await control<{ attempts: number }>(first, 'GET', `/payments/${outside.body.payment_hash}`)).body.attempts).toBe(1);

    const resolved = await control(second, 'POST', `/payments/${outside.body.payment_hash}/resolve`, { outcome: 'succeed' });

    expect(resolved).toMatchObject({ status: 200, body: { payment_hash: outside.body.payment_hash } });
    expect(await final).toMatchObject({ status: 'succeeded' });
    const nowhere = await control(second, 'POST', `/payments/${'ab'.repeat(32)}/resolve`, { outcome: 'succeed' });
    expect(nowhere).toEqual({ status: 409, body: { error: 'no payment in flight for this hash' } });
  });

  it('refuses to adopt an outside invoice of another outside peer, or one whose preimage is wrong', async () => {
    const preimage = randomBytes(32);
    const paymentHash = createHash('sha256').update(preimage).digest('hex');
    const fields = { paymentHash, paymentSecret: randomBytes(32).toString('hex'), amountMsat: 1_000, description: '', expirySec: 600, cltvExpiry: 40, timestampSec: Math.floor(Date.now() / 1000) };
    const adoption = (bolt11: string, preimageHex: string) => ({ bolt11, payment_hash: paymentHash, preimage: preimageHex, amount_msat: 1_000, outcome: 'succeed', fee_msat: 0 });
    const ofStranger = encodeSignedInvoice(fields, generateNodeKey().privateKey);

    const stranger = await control(first, 'POST', '/outside-invoices', adoption(ofStranger, preimage.toString('hex')));
    const wrongPreimage = await control(first, 'POST', '/outside-invoices', adoption(ofStranger, '00'.repeat(32)));

    expect(stranger).toEqual({ status: 409, body: { error: expect.stringContaining('another outside peer') } });
    expect(wrongPreimage).toEqual({ status: 409, body: { error: 'preimage does not hash to payment_hash' } });
  });

  it('answers 502 naming the sibling when the node that issued an invoice does not answer', async () => {
    const ofSecond = await invoiceOn(1);
    clients[1]!.close();
    await second.simulator.stop();

    const response = await control(first, 'POST', '/pay', { bolt11: ofSecond.bolt11 });

    expect(response).toEqual({ status: 502, body: { error: `sibling simulator ${controlUrl(second)} did not answer` } });
  });
});
