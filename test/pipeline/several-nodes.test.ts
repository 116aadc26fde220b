import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NodeDetailType, type InvoiceSettled } from '../../functions/lib/bus/bus-events';
import { IdPrefix, newId } from '../../functions/lib/ids';
import type { InvoiceItem } from '../../functions/lib/invoices/invoice';
import { insertInvoice } from '../../functions/lib/invoices/repository';
import type { LightningNode } from '../../functions/lib/node/lightning-node';
import type { Log } from '../../functions/lib/runtime/log';
import { keys } from '../../functions/lib/table/keys';
import { localBridgeTransport } from '../../infra/local/bridge-transport';
import { withoutNodeVariables, type PipelineNode } from '../../infra/local/local-node';
import { startNodeBridge, type RunningBridge } from '../../node-bridge/src/bridge';
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
  const startBridge = async (env: Record<string, string>, log: Log = recordingLog(), heartbeatIntervalMs?: number) => {
    const config = readBridgeConfig(env);
    bridge = await startNodeBridge(config, localBridgeTransport(config), { log, ...(heartbeatIntervalMs ? { heartbeatIntervalMs } : {}) });
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
