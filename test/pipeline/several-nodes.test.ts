import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NodeDetailType, type InvoiceSettled } from '../../functions/lib/bus/bus-events';
import { randomBytes } from 'node:crypto';
import type { Dependencies } from '../../functions/http/dependencies';
import { IdempotencyStore } from '../../functions/http/idempotency';
import { invoiceNodeFromConfig } from '../../functions/http/invoice-node';
import { readApiConfig } from '../../functions/lib/config';
import { IdPrefix, newId } from '../../functions/lib/ids';
import { debitWithdrawal } from '../../functions/lib/ledger/debit-withdrawal';
import { DEFAULT_MAX_INVOICE_MSAT } from '../../functions/lib/money';
import { isHealthy, readNodeStatuses } from '../../functions/lib/node/node-status';
import type { ChannelBalance } from '../../functions/lib/node/node-types';
import { localSecretSealer } from '../../functions/lib/webhooks/secret-sealer';
import { decodePaymentRequest } from '../../functions/lib/withdrawals/payment-request';
import { WithdrawalStatus } from '../../functions/lib/withdrawals/withdrawal';
import { routes } from '../../functions/routes';
import { bindRoutes, startHttpServer, type HttpServer } from '../../infra/local/http-server';
import { fund, newMerchant } from '../support/ledger-fixtures';
import { dynamoDbEndpoint } from '../support/table';
import type { InvoiceItem } from '../../functions/lib/invoices/invoice';
import { insertInvoice } from '../../functions/lib/invoices/repository';
import type { LightningNode } from '../../functions/lib/node/lightning-node';
import type { Log } from '../../functions/lib/runtime/log';
import { keys } from '../../functions/lib/table/keys';
import { localBridgeTransport } from '../../infra/local/bridge-transport';
import { nodeListEnv, withoutNodeVariables, type PipelineNode } from '../../infra/local/local-node';
import { startNodeBridge, type BridgeOverrides, type RunningBridge } from '../../node-bridge/src/bridge';
import { readBridgeConfig } from '../../node-bridge/src/config';
import { nodeStreamLines, NodeStreamMetrics } from '../../node-bridge/src/node-stream-report';
import { usePipelineHarness, waitUntil } from '../support/pipeline-harness';
import { startSimulatedNode, type SimulatedNode } from '../support/simulated-node';

/** A TCP relay in front of a node's gRPC port that a test can cut, as a network outage would, and mend. */
class NodeLink {
  private readonly sockets = new Set<Socket>();
  private isCut = false;
  private server!: Server;
  address = '';

  static async open(target: string): Promise<NodeLink> {
    const link = new NodeLink();
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    link.server = createServer((client) => {
      if (link.isCut) return void client.destroy();
      const upstream = connect(port, host);
      for (const socket of [client, upstream]) {
        link.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          link.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => link.server.listen(0, '127.0.0.1', resolve));
    const { port: listening } = link.server.address() as { port: number };
    link.address = `127.0.0.1:${listening}`;
    return link;
  }

  /** Every open connection dropped, every new one refused. */
  cut(): void {
    this.isCut = true;
    for (const socket of this.sockets) socket.destroy();
  }

  mend(): void {
    this.isCut = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** One LIGHTNING_NODES entry for a simulated node, reached through `host`, with the bridge's credentials as files. */
function nodeEntry(id: string, node: PipelineNode, host: string): Record<string, string> {
  return node.backend === 'lnd'
    ? { id, backend: 'lnd', grpc_host: host, tls_cert_path: node.tlsCertPath, macaroon_path: node.adminMacaroonPath }
    : { id, backend: 'cln', grpc_host: host, ca_cert_path: node.caCertPath, client_cert_path: node.clientCertPath, client_key_path: node.clientKeyPath };
}

/** A log that keeps every line's fields, for the heartbeat's EMF lines. */
function recordingLog(): Log & { lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const keep = (message: string, fields?: Record<string, unknown>) => void lines.push({ message, ...fields });
  return { lines, debug: () => {}, info: keep, warn: keep, error: keep };
}

async function metricOf(bridge: RunningBridge, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${bridge.httpPort}/metrics`)).text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name || !wanted.every((label) => (match[2] ?? '').includes(label))) continue;
    total = (total ?? 0) + Number(match[3]);
  }
  return total;
}

async function readiness(bridge: RunningBridge): Promise<{ status: number; checks: Record<string, boolean> }> {
  const response = await fetch(`http://127.0.0.1:${bridge.httpPort}/readyz`);
  return { status: response.status, checks: ((await response.json()) as { checks: Record<string, boolean> }).checks };
}

/** The node as the bridge sees it, with other channel balances than the simulator's (which never change). */
function withBalances(balances: Record<string, Partial<ChannelBalance>>): NonNullable<BridgeOverrides['wrapNode']> {
  return (nodeId, node) => {
    const balance = balances[nodeId];
    if (!balance) return node;
    return new Proxy(node, {
      get(target, property) {
        if (property === 'channelBalance') return async () => ({ ...(await target.channelBalance()), ...balance });
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
}

describe('one bridge, two nodes (LND and Core Lightning): each node its own settlement stream and cursor', () => {
  const h = usePipelineHarness({ startBridge: false });
  /** The harness's node, listed as `default` (the single node moved into LIGHTNING_NODES), and a node of the other backend. */
  let second: SimulatedNode;
  let secondId: string;
  let secondInvoices: LightningNode;
  let secondDir: string;
  const links: { first?: NodeLink; second?: NodeLink } = {};
  let bridge: RunningBridge | undefined;

  beforeAll(async () => {
    secondDir = await mkdtemp(path.join(tmpdir(), 'second-node-'));
    second = await startSimulatedNode({ dataDir: secondDir, backend: h.sim.backend === 'lnd' ? 'cln' : 'lnd', maxPaymentTimeoutMs: 1000 });
    secondId = `${second.backend}-b`;
    secondInvoices = await second.connect('invoices');
    links.first = await NodeLink.open(h.sim.grpcAddress);
    links.second = await NodeLink.open(second.grpcAddress);
  }, 60_000);
  afterEach(async () => {
    await bridge?.stop();
    bridge = undefined;
    links.first?.mend();
    links.second?.mend();
  });
  afterAll(async () => {
    secondInvoices?.close();
    await Promise.all([links.first?.close(), links.second?.close()]);
    await second?.stop();
    await rm(secondDir, { recursive: true, force: true });
  });

  const twoNodes = () =>
    ({
      ...withoutNodeVariables(h.pipeline.bridgeEnv()),
      LIGHTNING_NODES: JSON.stringify([nodeEntry('default', h.sim.node, links.first!.address), nodeEntry(secondId, second.node, links.second!.address)]),
    }) as Record<string, string>;
  const startBridge = async (env: Record<string, string>, log: Log = recordingLog(), heartbeatIntervalMs?: number, overrides: BridgeOverrides = {}) => {
    const config = readBridgeConfig(env);
    bridge = await startNodeBridge(config, localBridgeTransport(config), { log, ...(heartbeatIntervalMs ? { heartbeatIntervalMs } : {}), ...overrides });
    return bridge;
  };
  const stopBridge = async () => {
    await bridge?.stop();
    bridge = undefined;
  };

  /** An invoice made on the second node and stored, as POST /v1/invoices does. */
  const createOnSecond = async (input: { merchantId: string; accountId: string; amountMsat: number }): Promise<InvoiceItem> => {
    const id = newId(IdPrefix.invoice);
    const added = await secondInvoices.createInvoice({ label: id, amountMsat: input.amountMsat, expirySec: 3600 });
    return insertInvoice(h.table, {
      id,
      merchantId: input.merchantId,
      accountId: input.accountId,
      amountMsat: input.amountMsat,
      bolt11: added.bolt11,
      paymentHash: added.paymentHash,
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      checkoutUrl: `http://127.0.0.1/checkout/${id}`,
      createdAt: new Date().toISOString(),
    });
  };
  const settledEvents = (paymentHash: string) =>
    h.events.filter((event) => event['detail-type'] === NodeDetailType.invoiceSettled && (event.detail as InvoiceSettled).payment_hash === paymentHash).map((event) => event.detail as InvoiceSettled);
  const cursorOf = async (name: string): Promise<number> => {
    const { Item } = await h.table.doc.send(new GetCommand({ TableName: h.table.name, Key: keys.cursor(name), ConsistentRead: true }));
    return Number(Item?.settle_index ?? 0);
  };
  const depositReferences = async (accountId: string) =>
    (await h.ledger(accountId))
      .filter((entry) => entry.type === 'deposit')
      .map((entry) => entry.reference_id)
      .sort();
  const credited = (accountId: string, invoices: InvoiceItem[], message: string) =>
    waitUntil(async () => (await h.balance(accountId)) === invoices.reduce((sum, invoice) => sum + invoice.amount_msat, 0), { message, timeoutMs: 30_000 });
  const bothReady = (running: RunningBridge) =>
    waitUntil(async () => (await readiness(running)).status === 200, { message: 'both streams connected', timeoutMs: 30_000 });

  it('moving the single node into LIGHTNING_NODES as default neither replays nor skips its settlements', async () => {
    const account = await h.newAccount();
    // The bridge as it ran before: the single-node variables.
    await startBridge(h.pipeline.bridgeEnv());
    const before = await Promise.all([1, 2, 3].map((i) => h.createInvoice({ ...account, amountMsat: 10_000 + i })));
    for (const invoice of before) expect(h.sim.payInvoice(invoice.bolt11).status).toBe('settled');
    await credited(account.accountId, before, 'credited by the single-node bridge');
    await stopBridge();
    const cursorBefore = await cursorOf('invoices');
    expect(cursorBefore).toBeGreaterThanOrEqual(3);

    const running = await startBridge(twoNodes());
    await bothReady(running);
    const after = await h.createInvoice({ ...account, amountMsat: 20_000 });
    expect(h.sim.payInvoice(after.bolt11).status).toBe('settled');
    await credited(account.accountId, [...before, after], 'credited by the two-node bridge');

    // Only the new settlement was seen again: the default node resumed from the cursor it always had.
    await waitUntil(async () => (await cursorOf('invoices')) === cursorBefore + 1, { message: 'default cursor moved by one' });
    expect(await metricOf(running, 'bridge_settlements_seen_total', { node: 'default' })).toBe(1);
    for (const invoice of [...before, after]) expect(settledEvents(invoice.payment_hash)).toHaveLength(1);
    expect(await depositReferences(account.accountId)).toEqual([...before, after].map((invoice) => invoice.id).sort());
  }, 90_000);

  it('credits invoices on both nodes exactly once, each event naming the node that settled it', async () => {
    const running = await startBridge(twoNodes());
    await bothReady(running);
    const account = await h.newAccount();
    const onFirst = await Promise.all([1, 2, 3, 4].map((i) => h.createInvoice({ ...account, amountMsat: 30_000 + i })));
    const onSecond = await Promise.all([1, 2, 3, 4].map((i) => createOnSecond({ ...account, amountMsat: 40_000 + i })));
    expect(new Set(onSecond.map((invoice) => invoice.bolt11)).size).toBe(4);
    const secondCursorBefore = await cursorOf(`invoices#${secondId}`);

    for (let i = 0; i < 4; i++) {
      expect(h.sim.payInvoice(onFirst[i]!.bolt11).status).toBe('settled');
      expect(second.payInvoice(onSecond[i]!.bolt11).status).toBe('settled');
    }
    await credited(account.accountId, [...onFirst, ...onSecond], 'all eight credited');

    expect(await depositReferences(account.accountId)).toEqual([...onFirst, ...onSecond].map((invoice) => invoice.id).sort());
    for (const invoice of onFirst) expect(settledEvents(invoice.payment_hash).map((detail) => detail.node_id)).toEqual(['default']);
    for (const invoice of onSecond) expect(settledEvents(invoice.payment_hash).map((detail) => detail.node_id)).toEqual([secondId]);
    await waitUntil(async () => (await cursorOf(`invoices#${secondId}`)) === secondCursorBefore + 4, { message: "the second node's own cursor at +4" });
    expect(await metricOf(running, 'bridge_settlements_published_total', { node: secondId })).toBe(4);
    expect(await metricOf(running, 'bridge_settlements_published_total', { node: 'default' })).toBe(4);
  }, 90_000);

  it('a node that cannot be reached holds up only its own settlements; once back they are credited, none twice', async () => {
    const log = recordingLog();
    const running = await startBridge(twoNodes(), log, 100);
    await bothReady(running);
    const [firstAccount, secondAccount] = await Promise.all([h.newAccount(), h.newAccount()]);

    links.second!.cut();
    await waitUntil(async () => (await readiness(running)).checks[`invoiceStream:${secondId}`] === false, { message: 'second stream down' });
    const onSecond = await Promise.all([1, 2, 3].map((i) => createOnSecond({ ...secondAccount, amountMsat: 50_000 + i })));
    const onFirst = await Promise.all([1, 2, 3].map((i) => h.createInvoice({ ...firstAccount, amountMsat: 60_000 + i })));
    for (const invoice of onSecond) expect(second.payInvoice(invoice.bolt11).status).toBe('settled');
    for (const invoice of onFirst) expect(h.sim.payInvoice(invoice.bolt11).status).toBe('settled');

    await credited(firstAccount.accountId, onFirst, "the reachable node's settlements credited");
    // Settled on the unreachable node, not yet heard of.
    expect(await h.balance(secondAccount.accountId)).toBe(0);
    for (const invoice of onSecond) expect(settledEvents(invoice.payment_hash)).toHaveLength(0);
    const down = await readiness(running);
    expect(down).toEqual({ status: 503, checks: { invoiceStream: true, [`invoiceStream:${secondId}`]: false, acceptingWork: true } });
    expect(await metricOf(running, 'bridge_invoice_stream_connected', { node: secondId })).toBe(0);
    expect(await metricOf(running, 'bridge_invoice_stream_connected', { node: 'default' })).toBe(1);
    // The heartbeat's EMF lines say which node is down.
    const lastLine = (matches: (line: Record<string, unknown>) => boolean) => [...log.lines].reverse().find(matches);
    const streamLine = (node: string) => lastLine((line) => line.event === NodeStreamMetrics.event && line.node === node);
    await waitUntil(() => streamLine(secondId)?.[NodeStreamMetrics.connected] === 0 && streamLine('default')?.[NodeStreamMetrics.connected] === 1, { message: 'stream lines' });
    expect(lastLine((line) => line.event === NodeStreamMetrics.summaryEvent)).toMatchObject({ [NodeStreamMetrics.streamsDown]: 1 });

    links.second!.mend();
    await credited(secondAccount.accountId, onSecond, "the second node's settlements credited once it is back");
    await bothReady(running);
    expect(await depositReferences(secondAccount.accountId)).toEqual(onSecond.map((invoice) => invoice.id).sort());
    for (const invoice of [...onFirst, ...onSecond]) expect(settledEvents(invoice.payment_hash)).toHaveLength(1);
    expect(await metricOf(running, 'bridge_invoice_stream_reconnects_total', { node: secondId })).toBeGreaterThan(0);
  }, 90_000);

  it("rewrites the nodes' status items when a stream connects or drops, not only each LIQUIDITY_INTERVAL_MS", async () => {
    // One reading at the start (before the streams are up) and the next in ten minutes: only the change can tell the API.
    const running = await startBridge({ ...twoNodes(), LIQUIDITY_INTERVAL_MS: '600000' });
    await bothReady(running);
    const streamConnected = async (nodeId: string) => (await readNodeStatuses(h.table)).find((status) => status.nodeId === nodeId)?.streamConnected;
    await waitUntil(async () => (await streamConnected('default')) === true && (await streamConnected(secondId)) === true, { message: 'both status items say connected' });

    links.second!.cut();
    await waitUntil(async () => (await streamConnected(secondId)) === false, { message: "the cut node's status item says not connected" });
    expect(await streamConnected('default')).toBe(true);
    links.second!.mend();
    await waitUntil(async () => (await streamConnected(secondId)) === true, { message: 'connected again once mended' });
  }, 60_000);

  it('a restarted bridge resumes each node from its own cursor', async () => {
    const account = await h.newAccount();
    await bothReady(await startBridge(twoNodes()));
    const early = [
      ...(await Promise.all([1, 2].map((i) => h.createInvoice({ ...account, amountMsat: 70_000 + i })))),
      ...(await Promise.all([1, 2, 3].map((i) => createOnSecond({ ...account, amountMsat: 80_000 + i })))),
    ];
    for (const invoice of early.slice(0, 2)) expect(h.sim.payInvoice(invoice.bolt11).status).toBe('settled');
    for (const invoice of early.slice(2)) expect(second.payInvoice(invoice.bolt11).status).toBe('settled');
    await credited(account.accountId, early, 'early ones credited');
    await stopBridge();
    const [firstCursor, secondCursor] = [await cursorOf('invoices'), await cursorOf(`invoices#${secondId}`)];
    expect(firstCursor).not.toBe(secondCursor);

    // Settled while no bridge runs: two on the first node, one on the second.
    const late = [await h.createInvoice({ ...account, amountMsat: 90_001 }), await h.createInvoice({ ...account, amountMsat: 90_002 }), await createOnSecond({ ...account, amountMsat: 90_003 })];
    expect(h.sim.payInvoice(late[0]!.bolt11).status).toBe('settled');
    expect(h.sim.payInvoice(late[1]!.bolt11).status).toBe('settled');
    expect(second.payInvoice(late[2]!.bolt11).status).toBe('settled');

    const running = await startBridge(twoNodes());
    await credited(account.accountId, [...early, ...late], 'late ones credited by the new bridge');
    await waitUntil(async () => (await cursorOf('invoices')) === firstCursor + 2 && (await cursorOf(`invoices#${secondId}`)) === secondCursor + 1, { message: 'each cursor moved by its own' });
    // Nothing below either cursor was seen again.
    expect(await metricOf(running, 'bridge_settlements_seen_total', { node: 'default' })).toBe(2);
    expect(await metricOf(running, 'bridge_settlements_seen_total', { node: secondId })).toBe(1);
    for (const invoice of [...early, ...late]) expect(settledEvents(invoice.payment_hash)).toHaveLength(1);
    expect(await depositReferences(account.accountId)).toEqual([...early, ...late].map((invoice) => invoice.id).sort());
  }, 90_000);

  describe('the API on both nodes (LIGHTNING_NODES for the invoice role)', () => {
    let api: HttpServer | undefined;
    afterEach(async () => {
      await api?.close();
      api = undefined;
    });

    /** The API as a deployment of two nodes builds it: its node from readApiConfig, over real HTTP. */
    const startApi = async () => {
      const config = readApiConfig({
        TABLE_NAME: h.table.name,
        DYNAMODB_ENDPOINT: dynamoDbEndpoint(),
        PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
        ...nodeListEnv([{ id: 'default', node: h.sim.node }, { id: secondId, node: second.node }], 'invoices'),
      });
      expect(config.nodes.map((node) => node.id)).toEqual(['default', secondId]);
      const secrets = localSecretSealer(randomBytes(32));
      const deps: Dependencies = {
        table: h.table,
        node: invoiceNodeFromConfig(config),
        config: { publicBaseUrl: config.publicBaseUrl, maxInvoiceMsat: DEFAULT_MAX_INVOICE_MSAT },
        idempotency: new IdempotencyStore(h.table, { sealer: secrets }),
        secrets,
        log: { warn: () => undefined, error: () => undefined },
        now: () => new Date(),
      };
      api = await startHttpServer({ port: 0, host: '127.0.0.1', routes: bindRoutes(routes, deps) });
      return api;
    };
    const post = async (urlPath: string, key: string, body: unknown) => {
      const response = await fetch(api!.url + urlPath, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    };
    /** Until both nodes' status items are fresh and healthy, with the inbound `expected` says. */
    const statusesWritten = (expected: Record<string, number> = {}) =>
      waitUntil(
        async () => {
          const statuses = await readNodeStatuses(h.table);
          return ['default', secondId].every((id) => {
            const status = statuses.find((each) => each.nodeId === id);
            return status !== undefined && isHealthy(status, Date.now()) && (expected[id] === undefined || status.inboundMsat === expected[id]);
          });
        },
        { message: 'both node status items healthy', timeoutMs: 30_000 },
      );
    const simulatorOf = (pubkey: string) => (pubkey === h.sim.pubkey ? h.sim : second);
    const nodeIdOf = (pubkey: string) => (pubkey === h.sim.pubkey ? 'default' : secondId);

    it('spreads invoices across both payee keys when inbound is equal; every one is paid and credited exactly once', async () => {
      // Both simulators report the same inbound, so the two nodes take turns.
      await bothReady(await startBridge(twoNodes()));
      await statusesWritten();
      await startApi();
      const shop = await newMerchant(h.table);
      const invoices: Array<Record<string, any>> = [];
      for (let i = 0; i < 8; i++) {
        const reply = await post('/v1/invoices', shop.secret_key, { amount_msat: 11_000 + i });
        expect(reply.status).toBe(201);
        expect(reply.body).not.toHaveProperty('node_id');
        invoices.push(reply.body);
      }
      const payees = invoices.map((invoice) => decodePaymentRequest(invoice.bolt11).payee);
      expect(payees.filter((payee) => payee === h.sim.pubkey)).toHaveLength(4);
      expect(payees.filter((payee) => payee === second.pubkey)).toHaveLength(4);
      // Each invoice records the node whose key signed it.
      for (const [index, invoice] of invoices.entries()) expect((await h.readInvoice(invoice.id)).node_id).toBe(nodeIdOf(payees[index]!));

      for (const [index, invoice] of invoices.entries()) expect(simulatorOf(payees[index]!).payInvoice(invoice.bolt11).status).toBe('settled');
      const total = invoices.reduce((sum, invoice) => sum + (invoice.amount_msat as number), 0);
      await waitUntil(async () => (await h.balance(shop.default_account_id)) === total, { message: 'all eight credited', timeoutMs: 30_000 });
      expect(await depositReferences(shop.default_account_id)).toEqual(invoices.map((invoice) => invoice.id).sort());
      for (const [index, invoice] of invoices.entries()) expect(settledEvents(invoice.payment_hash).map((detail) => detail.node_id)).toEqual([nodeIdOf(payees[index]!)]);
    }, 90_000);

    it('gives no invoice to a node with far less inbound liquidity while the other can receive', async () => {
      await bothReady(await startBridge(twoNodes(), recordingLog(), undefined, { wrapNode: withBalances({ [secondId]: { inboundMsat: 2_000_000 } }) }));
      await statusesWritten({ [secondId]: 2_000_000 });
      await startApi();
      const shop = await newMerchant(h.table);
      const payees: string[] = [];
      for (let i = 0; i < 6; i++) {
        const reply = await post('/v1/invoices', shop.secret_key, { amount_msat: 12_000 + i });
        expect(reply.status).toBe(201);
        payees.push(decodePaymentRequest(reply.body.bolt11).payee);
      }
      expect(payees).toEqual(Array(6).fill(h.sim.pubkey));
    }, 90_000);

    it('settles a withdrawal to an invoice of our other node internally: never routed, the invoice cancelled on its own node', async () => {
      // The first node has almost no inbound: the invoice goes to the second.
      await bothReady(await startBridge(twoNodes(), recordingLog(), undefined, { wrapNode: withBalances({ default: { inboundMsat: 1_000 } }) }));
      await statusesWritten({ default: 1_000 });
      await startApi();
      const [payee, payer] = [await newMerchant(h.table), await newMerchant(h.table)];
      await fund(h.table, { merchantId: payer.merchant_id, accountId: payer.default_account_id, amountMsat: 100_000 });
      const invoice = await post('/v1/invoices', payee.secret_key, { amount_msat: 40_000 });
      expect(invoice.status).toBe(201);
      expect(decodePaymentRequest(invoice.body.bolt11).payee).toBe(second.pubkey);

      // The API's identity is its first node's: the payee is the other one.
      const withdrawal = await post('/v1/withdrawals', payer.secret_key, { bolt11: invoice.body.bolt11 });
      expect(withdrawal.status).toBe(202);
      expect(withdrawal.body).toMatchObject({ status: 'succeeded', internal: true, fee_msat: 0, amount_msat: 40_000 });
      expect(await h.balance(payer.default_account_id)).toBe(60_000);
      expect(await h.balance(payee.default_account_id)).toBe(40_000);
      expect((await h.readInvoice(invoice.body.id)).status).toBe('paid');
      // Neither node tried to pay it, and the second node no longer takes it from outside.
      expect(h.sim.paymentAttempts(invoice.body.payment_hash).attempts).toBe(0);
      expect(second.paymentAttempts(invoice.body.payment_hash).attempts).toBe(0);
      await waitUntil(() => second.payInvoice(invoice.body.bolt11).status !== 'settled', { message: 'cancelled on the second node' });
      expect(await h.balance(payee.default_account_id)).toBe(40_000);
    }, 90_000);
  });

  it('pays a withdrawal from the node with the outbound liquidity and tracks it there across a bridge restart', async () => {
    // The first node cannot cover the amount and the reserve; the second can.
    await bothReady(await startBridge(twoNodes(), recordingLog(), undefined, { wrapNode: withBalances({ default: { outboundMsat: 10_000 } }) }));
    await waitUntil(async () => (await metricOf(bridge!, 'bridge_node_outbound_liquidity_msat', { node: 'default' })) === 10_000, { message: 'first node read' });
    await waitUntil(async () => ((await metricOf(bridge!, 'bridge_node_outbound_liquidity_msat', { node: secondId })) ?? 0) > 1_000_000, { message: 'second node read' });
    const account = await h.newAccount({ fundMsat: 200_000 });
    // An outside invoice the second node's network knows, whose payment hangs until resolved.
    const outside = second.createOutsideInvoice({ amountMsat: 50_000, outcome: 'hang', feeMsat: 5 });
    const withdrawal = await debitWithdrawal(h.table, {
      id: newId(IdPrefix.withdrawal),
      ...account,
      amountMsat: 50_000,
      feeReserveMsat: 10_000,
      paymentHash: outside.paymentHash,
      bolt11: outside.bolt11,
      createdAt: new Date().toISOString(),
    });
    await waitUntil(async () => (await h.readWithdrawal(withdrawal.id)).status === WithdrawalStatus.inFlight && second.paymentAttempts(outside.paymentHash).attempts === 1, {
      message: 'in flight on the second node',
    });
    expect((await h.readWithdrawal(withdrawal.id)).node_id).toBe(secondId);
    expect(h.sim.paymentAttempts(outside.paymentHash).attempts).toBe(0);
    await stopBridge();

    // Now only the first node has the liquidity: the payment is still followed on the second, never sent again.
    await bothReady(await startBridge(twoNodes(), recordingLog(), undefined, { wrapNode: withBalances({ [secondId]: { outboundMsat: 10_000 } }) }));
    second.resolvePayment(outside.paymentHash, 'succeed');
    await waitUntil(async () => (await h.readWithdrawal(withdrawal.id)).status === WithdrawalStatus.succeeded, { message: 'succeeded after the restart', timeoutMs: 30_000 });
    expect(await h.balance(account.accountId)).toBe(200_000 - 50_000 - 5);
    expect(second.paymentAttempts(outside.paymentHash).attempts).toBe(1);
    expect(h.sim.paymentAttempts(outside.paymentHash).attempts).toBe(0);
    expect((await h.readWithdrawal(withdrawal.id)).node_id).toBe(secondId);
  }, 90_000);

  it('leaves a withdrawal recorded on a node no longer configured alone: not paid elsewhere, not refunded', async () => {
    const account = await h.newAccount({ fundMsat: 100_000 });
    const outside = h.sim.createOutsideInvoice({ amountMsat: 20_000, outcome: 'succeed' });
    const withdrawal = await debitWithdrawal(h.table, {
      id: newId(IdPrefix.withdrawal),
      ...account,
      amountMsat: 20_000,
      feeReserveMsat: 1_000,
      paymentHash: outside.paymentHash,
      bolt11: outside.bolt11,
      createdAt: new Date().toISOString(),
    });
    // As a bridge with a node `gone` would have recorded it (and perhaps sent it) before that node left the list.
    await h.table.doc.send(
      new UpdateCommand({ TableName: h.table.name, Key: keys.withdrawal(withdrawal.id), UpdateExpression: 'SET node_id = :gone', ExpressionAttributeValues: { ':gone': 'gone' } }),
    );
    const running = await startBridge(twoNodes());
    await waitUntil(async () => ((await metricOf(running, 'bridge_payouts_on_unknown_node_total', {})) ?? 0) >= 1, { message: 'left for a human', timeoutMs: 30_000 });
    expect((await h.readWithdrawal(withdrawal.id)).status).toBe(WithdrawalStatus.pending);
    expect(h.sim.paymentAttempts(outside.paymentHash).attempts).toBe(0);
    expect(second.paymentAttempts(outside.paymentHash).attempts).toBe(0);
    expect(await h.balance(account.accountId)).toBe(100_000 - 21_000);
  }, 90_000);
});

describe("the heartbeat's node stream lines (CloudWatch EMF)", () => {
  it('gives each node its connected state and silence under the node dimension, and the count of nodes down', () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    const lines = nodeStreamLines(
      [
        { nodeId: 'lnd-a', connected: true, lastActivityMs: now - 4_500 },
        { nodeId: 'cln-b', connected: false, lastActivityMs: now - 600_000 },
      ],
      now,
    );
    expect(lines).toEqual([
      {
        _aws: { Timestamp: now, CloudWatchMetrics: [{ Namespace: 'LightningPayments', Dimensions: [['node']], Metrics: [{ Name: 'NodeStreamConnected', Unit: 'None' }, { Name: 'NodeStreamSilentSec', Unit: 'Seconds' }] }] },
        event: 'bridge.node_stream',
        node: 'lnd-a',
        NodeStreamConnected: 1,
        NodeStreamSilentSec: 4,
      },
      {
        _aws: { Timestamp: now, CloudWatchMetrics: [{ Namespace: 'LightningPayments', Dimensions: [['node']], Metrics: [{ Name: 'NodeStreamConnected', Unit: 'None' }, { Name: 'NodeStreamSilentSec', Unit: 'Seconds' }] }] },
        event: 'bridge.node_stream',
        node: 'cln-b',
        NodeStreamConnected: 0,
        NodeStreamSilentSec: 600,
      },
      {
        _aws: { Timestamp: now, CloudWatchMetrics: [{ Namespace: 'LightningPayments', Dimensions: [[]], Metrics: [{ Name: 'NodeStreamsDown', Unit: 'Count' }] }] },
        event: 'bridge.node_streams',
        NodeStreamsDown: 1,
      },
    ]);
  });
});
