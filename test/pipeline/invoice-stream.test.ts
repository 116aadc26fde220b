import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InvoiceSettled } from '../../functions/lib/bus/bus-events';
import type { BusEntry, EventBus, PutEventsResult } from '../../functions/lib/bus/event-bus';
import { silentLog } from '../../functions/lib/runtime/log';
import { type Invoice, InvoiceState, type InvoicePage, LndClient } from '../../functions/lib/lnd';
import { LndNode, type LndNodeClient } from '../../functions/lib/node/lnd/lnd-node';
import { startLndSimulator, type LndSimulator } from '../../lnd-simulator';
import type { CursorStore, InvoiceCursor } from '../../node-bridge/src/cursor-store';
import { InvoiceStream } from '../../node-bridge/src/invoice-stream';
import { createBridgeMetrics } from '../../node-bridge/src/metrics';
import { SettlementTracker } from '../../node-bridge/src/settlement-tracker';
import { randomHash } from '../support/ledger-fixtures';
import { waitUntil } from '../support/pipeline-harness';

describe('SettlementTracker: how far the cursor may move', () => {
  it('moves over published settlements and stops at the first one not yet published', () => {
    const tracker = new SettlementTracker(0);
    for (const index of [1, 2, 3, 4]) tracker.observe(index);
    tracker.markPublished(1);
    tracker.markPublished(3);
    tracker.markPublished(4);

    expect(tracker.advance()).toBe(true);
    expect(tracker.cursor).toBe(1);

    tracker.markPublished(2);
    tracker.advance();
    expect(tracker.cursor).toBe(4);
  });

  it('drops what it has seen and what is at or below the cursor', () => {
    const tracker = new SettlementTracker(5);
    expect(tracker.observe(5)).toBe(false);
    expect(tracker.observe(6)).toBe(true);
    expect(tracker.observe(6)).toBe(false);
  });

  it('does not step over an index nobody has seen until a catch-up confirms it is a gap of the node', () => {
    const tracker = new SettlementTracker(0);
    tracker.observe(1);
    tracker.observe(3);
    tracker.markPublished(1);
    tracker.markPublished(3);

    tracker.advance();
    expect(tracker.cursor).toBe(1);
    expect(tracker.hasHoles()).toBe(true);

    tracker.confirmGapsUpTo(3);
    tracker.advance();
    expect(tracker.cursor).toBe(3);
    expect(tracker.gapsSkipped).toBe(1);
    expect(tracker.hasHoles()).toBe(false);
  });

  it('never skips a pending settlement as a gap', () => {
    const tracker = new SettlementTracker(0);
    tracker.observe(2);
    tracker.confirmGapsUpTo(2);
    tracker.advance();
    expect(tracker.cursor).toBe(1);
    tracker.markPublished(2);
    tracker.advance();
    expect(tracker.cursor).toBe(2);
  });

  it('still takes a settlement that turns up at an index it had skipped as a gap', () => {
    const tracker = new SettlementTracker(0);
    tracker.observe(2);
    tracker.markPublished(2);
    tracker.confirmGapsUpTo(2);
    tracker.advance();
    expect(tracker.cursor).toBe(2);
    expect(tracker.observe(1)).toBe(true);
    expect(tracker.observe(1)).toBe(false);
  });
});

/** A bus that records what it accepted and refuses what `refuse` says. */
class RecordingBus implements EventBus {
  readonly accepted: InvoiceSettled[] = [];
  readonly batchSizes: number[] = [];
  calls = 0;
  constructor(private readonly refuse: (detail: InvoiceSettled, call: number) => boolean | 'throw' = () => false) {}

  async putEvents(entries: BusEntry[]): Promise<PutEventsResult> {
    this.calls++;
    this.batchSizes.push(entries.length);
    const details = entries.map((entry) => entry.detail as InvoiceSettled);
    if (details.some((detail) => this.refuse(detail, this.calls) === 'throw')) throw new Error('ThrottlingException');
    const failed: PutEventsResult['failed'] = [];
    details.forEach((detail, index) => {
      if (this.refuse(detail, this.calls)) failed.push({ index, errorCode: 'InternalFailure', errorMessage: 'injected' });
      else this.accepted.push(detail);
    });
    return { failed };
  }

  acceptedIndexes(): number[] {
    return this.accepted.map((detail) => Number(detail.settle_index)).sort((a, b) => a - b);
  }
}

/** Remembers every save, and checks on each one that everything at or below the cursor was accepted by then. */
class CheckedCursorStore implements CursorStore {
  /** Each save, with the highest settle index the bus had accepted at that moment. */
  readonly saves: Array<InvoiceCursor & { highestAccepted: number }> = [];
  violations: string[] = [];
  constructor(
    private readonly bus: RecordingBus,
    private current: InvoiceCursor = { settleIndex: 0, addIndex: 0, scanAddIndex: 0 },
  ) {}
  async load() {
    return { ...this.current };
  }
  async save(cursor: InvoiceCursor) {
    const accepted = new Set(this.bus.acceptedIndexes());
    for (let index = this.current.settleIndex + 1; index <= cursor.settleIndex; index++) {
      if (!accepted.has(index)) this.violations.push(`cursor ${cursor.settleIndex} saved before settlement ${index} was accepted`);
    }
    this.current = { ...cursor };
    this.saves.push({ ...cursor, highestAccepted: Math.max(0, ...accepted) });
  }
  get settleIndex() {
    return this.current.settleIndex;
  }
}

describe('InvoiceStream (node-bridge) against the simulator', () => {
  let sim: LndSimulator;
  let dataDir: string;
  let lnd: LndClient;
  const streams: InvoiceStream[] = [];

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'invoice-stream-'));
    sim = await startLndSimulator({ dataDir, grpcPort: 0, controlPort: 0 });
    lnd = LndClient.fromFiles({ host: sim.grpcAddress, tlsCertPath: sim.tlsCertPath, macaroonPath: sim.adminMacaroonPath });
  });
  afterEach(async () => {
    await Promise.all(streams.splice(0).map((stream) => stream.stop()));
    lnd.close();
    await sim.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const startStream = (bus: EventBus, cursorStore: CursorStore, overrides: { listPageSize?: number } = {}) => {
    const metrics = createBridgeMetrics();
    const stream = new InvoiceStream({
      nodeId: 'lnd-a',
      node: new LndNode(lnd),
      bus,
      cursorStore,
      log: silentLog,
      metrics,
      reconnectBaseMs: 20,
      reconnectMaxMs: 200,
      catchUpIntervalMs: 60_000,
      listPageSize: overrides.listPageSize ?? 100,
      publishRetryBaseMs: 5,
      publishRetryMaxMs: 50,
    });
    streams.push(stream);
    stream.start();
    return { stream, metrics };
  };
  const settleNew = async (count: number): Promise<string[]> => {
    const hashes: string[] = [];
    for (let i = 0; i < count; i++) {
      const added = await lnd.addInvoice({ valueMsat: 1_000 + i });
      expect(sim.payInvoice(added.paymentRequest).status).toBe('settled');
      hashes.push(added.paymentHash);
    }
    return hashes;
  };

  it('with no cursor, pages ListInvoices (LND replays nothing for 0) and publishes every settled invoice once', async () => {
    const settled = await settleNew(12);
    await lnd.addInvoice({ valueMsat: 5_000 }); // open: nothing to publish
    const canceled = await lnd.addInvoice({ valueMsat: 6_000 });
    await lnd.cancelInvoice(canceled.paymentHash);
    const bus = new RecordingBus();
    const store = new CheckedCursorStore(bus);

    startStream(bus, store, { listPageSize: 5 });

    await waitUntil(() => store.settleIndex === 12, { message: 'cursor at 12' });
    expect(bus.accepted.map((detail) => detail.payment_hash).sort()).toEqual([...settled].sort());
    expect(store.violations).toEqual([]);
    expect(Math.max(...bus.batchSizes)).toBeLessThanOrEqual(10);
  });

  it("names its node on every event and metric, and knows when it last heard from the node", async () => {
    const bus = new RecordingBus();
    const store = new CheckedCursorStore(bus);
    const { stream, metrics } = startStream(bus, store);
    await waitUntil(() => stream.connected, { message: 'connected' });
    const heardBefore = stream.lastActivityMs;
    await waitUntil(() => Date.now() > heardBefore, { intervalMs: 1 });

    const [hash] = await settleNew(1);
    await waitUntil(() => store.settleIndex === 1, { message: 'cursor at 1' });

    expect(bus.accepted).toEqual([expect.objectContaining({ payment_hash: hash, settle_index: '1', node_id: 'lnd-a' })]);
    expect(stream.lastActivityMs).toBeGreaterThan(heardBefore);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^bridge_invoice_stream_connected\{node="lnd-a"\} 1$/m);
    expect(text).toMatch(/^bridge_settlements_published_total\{node="lnd-a"\} 1$/m);
    expect(text).toMatch(/^bridge_settle_index_cursor\{node="lnd-a"\} 1$/m);
    expect(text).toMatch(/^bridge_invoice_stream_last_activity_timestamp_seconds\{node="lnd-a"\} \d{10}$/m);
  });

  it('resumes from the persisted cursor: only settlements above it are published', async () => {
    await settleNew(6);
    const bus = new RecordingBus();
    const store = new CheckedCursorStore(bus, { settleIndex: 4, addIndex: 6, scanAddIndex: 4 });

    startStream(bus, store);
    await waitUntil(() => store.settleIndex === 6);
    const later = await settleNew(2);
    await waitUntil(() => store.settleIndex === 8);

    expect(bus.acceptedIndexes()).toEqual([5, 6, 7, 8]);
    expect(bus.accepted.slice(-2).map((detail) => detail.payment_hash).sort()).toEqual([...later].sort());
  });

  it('never persists the cursor past a refused settlement, even when later ones were accepted; retries only the refused ones', async () => {
    const refusedCalls: number[] = [];
    // Settlement 3 is refused until a later one got through; call 2 fails as a whole (throttled).
    const bus: RecordingBus = new RecordingBus((detail, call) => {
      if (detail.settle_index === '3' && (refusedCalls.length < 3 || !bus.acceptedIndexes().some((index) => index > 5))) {
        refusedCalls.push(call);
        return true;
      }
      if (call === 2) return 'throw';
      return false;
    });
    const store = new CheckedCursorStore(bus);
    const { metrics } = startStream(bus, store);
    await waitUntil(async () => (await metrics.catchUps.get()).values[0]?.value === 1);

    await settleNew(9);

    await waitUntil(() => store.settleIndex === 9, { message: 'cursor at 9' });
    expect(store.violations).toEqual([]);
    expect(refusedCalls.length).toBeGreaterThanOrEqual(3);
    // Every settlement accepted exactly once, the refused one included.
    expect(bus.acceptedIndexes()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Later settlements were published before 3, and still no save went past 3 before it was accepted (no violations).
    const acceptedOrder = bus.accepted.map((detail) => detail.settle_index);
    expect(acceptedOrder.indexOf('3')).toBeGreaterThan(acceptedOrder.indexOf('4'));
  });

  it('reconnects after dropped streams and catches up: every settlement published once', async () => {
    const bus = new RecordingBus();
    const store = new CheckedCursorStore(bus);
    const { metrics } = startStream(bus, store);
    await waitUntil(() => sim.openStreamCount() === 1);

    const hashes: string[] = [];
    for (let round = 0; round < 4; round++) {
      hashes.push(...(await settleNew(5)));
      await waitUntil(() => sim.openStreamCount() === 1, { message: 'stream open again' });
      sim.dropStreams();
    }
    hashes.push(...(await settleNew(3)));

    await waitUntil(() => store.settleIndex === hashes.length, { message: `cursor at ${hashes.length}` });
    expect(bus.accepted.map((detail) => detail.payment_hash).sort()).toEqual([...hashes].sort());
    expect(bus.accepted).toHaveLength(hashes.length);
    expect((await metrics.invoiceStreamReconnects.get()).values[0]?.value).toBeGreaterThanOrEqual(4);
    expect(store.violations).toEqual([]);
  });
});

/**
 * A node whose settle_index has a gap (lnd issue 7071) or whose stream loses an event:
 * things the simulator never does. SubscribeInvoices and ListInvoices as LND has them, seen
 * through the LND adapter as the bridge sees a real node.
 */
class GappyNode {
  readonly invoices: Invoice[] = [];
  private readonly live = new Set<(invoice: Invoice) => void>();

  add(): Invoice {
    const invoice: Invoice = {
      paymentHash: randomHash(),
      paymentRequest: 'lnbcrt1fake',
      memo: '',
      descriptionHash: null,
      preimage: null,
      valueMsat: 1_000,
      amountPaidMsat: 0,
      state: InvoiceState.Open,
      creationDateSec: Math.floor(Date.now() / 1000),
      settleDateSec: null,
      expirySec: 3600,
      addIndex: this.invoices.length + 1,
      settleIndex: 0,
      paymentAddr: '00',
      cltvExpiry: 80,
      private: false,
      isKeysend: false,
    };
    this.invoices.push(invoice);
    return invoice;
  }

  /** Settles with the given settle_index; `announce: false` is a live event that never reaches the subscriber. */
  settle(invoice: Invoice, settleIndex: number, announce = true): void {
    Object.assign(invoice, { state: InvoiceState.Settled, settleIndex, amountPaidMsat: 1_000, settleDateSec: Math.floor(Date.now() / 1000) });
    if (announce) for (const listener of this.live) listener({ ...invoice });
  }

  client(): Pick<LndClient, 'subscribeInvoices' | 'listInvoices'> {
    return {
      subscribeInvoices: (request: { settleIndex?: number } = {}) => {
        const queue: Invoice[] = request.settleIndex
          ? this.invoices.filter((invoice) => invoice.settleIndex > request.settleIndex!).sort((a, b) => a.settleIndex - b.settleIndex).map((invoice) => ({ ...invoice }))
          : [];
        let wake: (() => void) | undefined;
        let cancelled = false;
        const listener = (invoice: Invoice) => {
          queue.push(invoice);
          wake?.();
        };
        this.live.add(listener);
        const live = this.live;
        return {
          cancel() {
            cancelled = true;
            live.delete(listener);
            wake?.();
          },
          async *[Symbol.asyncIterator]() {
            while (!cancelled) {
              const next = queue.shift();
              if (next) yield next;
              else await new Promise<void>((resolve) => (wake = resolve));
            }
          },
        } as never;
      },
      listInvoices: async (request: { indexOffset?: number; numMaxInvoices?: number } = {}): Promise<InvoicePage> => {
        const page = this.invoices.filter((invoice) => invoice.addIndex > (request.indexOffset ?? 0)).slice(0, request.numMaxInvoices || 100);
        return { invoices: page.map((invoice) => ({ ...invoice })), firstIndexOffset: page[0]?.addIndex ?? 0, lastIndexOffset: page.at(-1)?.addIndex ?? 0 };
      },
    };
  }
}

describe('InvoiceStream and settle_index gaps (a node with gaps and lost events)', () => {
  const streams: InvoiceStream[] = [];
  afterEach(async () => {
    await Promise.all(streams.splice(0).map((stream) => stream.stop()));
  });
  const start = (node: GappyNode, bus: RecordingBus, store: CursorStore) => {
    const metrics = createBridgeMetrics();
    const stream = new InvoiceStream({
      nodeId: 'gappy',
      // The stream calls only these two.
      node: new LndNode(node.client() as LndNodeClient),
      bus,
      cursorStore: store,
      log: silentLog,
      metrics,
      reconnectBaseMs: 20,
      reconnectMaxMs: 200,
      catchUpIntervalMs: 60_000,
      listPageSize: 2,
      publishRetryBaseMs: 5,
      publishRetryMaxMs: 50,
    });
    streams.push(stream);
    stream.start();
    return metrics;
  };

  it('steps over a settle_index the node never used only after ListInvoices confirms it is a gap', async () => {
    const node = new GappyNode();
    const bus = new RecordingBus();
    const store = new CheckedCursorStore(bus);
    const metrics = start(node, bus, store);
    await waitUntil(async () => (await metrics.catchUps.get()).values[0]?.value === 1);
    const [a, b, c, d] = [node.add(), node.add(), node.add(), node.add()];

    node.settle(a!, 1);
    node.settle(b!, 2);
    node.settle(c!, 4);
    node.settle(d!, 5);

    await waitUntil(() => store.settleIndex === 5, { message: 'cursor past the gap' });
    expect(bus.acceptedIndexes()).toEqual([1, 2, 4, 5]);
    expect((await metrics.settleIndexGaps.get()).values[0]?.value).toBe(1);
    expect(store.saves.map((save) => save.settleIndex)).not.toContain(3);
  });

  it('publishes a settlement the stream never delivered, found by ListInvoices, before the cursor passes it', async () => {
    const node = new GappyNode();
    const bus = new RecordingBus();
    const store = new CheckedCursorStore(bus);
    const metrics = start(node, bus, store);
    await waitUntil(async () => (await metrics.catchUps.get()).values[0]?.value === 1);
    const [a, b, c, d] = [node.add(), node.add(), node.add(), node.add()];

    node.settle(a!, 1);
    node.settle(b!, 2, false);
    node.settle(c!, 3);
    node.settle(d!, 4);

    await waitUntil(() => store.settleIndex === 4, { message: 'cursor at 4' });
    expect(bus.acceptedIndexes()).toEqual([1, 2, 3, 4]);
    expect(store.violations).toEqual([]);
    expect((await metrics.settleIndexGaps.get()).values[0]?.value ?? 0).toBe(0);
  });
});
