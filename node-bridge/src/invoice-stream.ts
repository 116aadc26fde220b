import { BusSource, invoiceSettledSchema, NodeDetailType, type InvoiceSettled } from '../../functions/lib/bus/bus-events';
import { MAX_ENTRIES_PER_PUT, type EventBus, type PutEventsResult } from '../../functions/lib/bus/event-bus';
import { errorFields, type Log } from '../../functions/lib/runtime/log';
import { backoffDelayMs, sleep } from '../../functions/lib/runtime/backoff';
import type { LightningNode } from '../../functions/lib/node/lightning-node';
import { NodeInvoiceState, type NodeInvoice } from '../../functions/lib/node/node-types';
import type { CursorStore, InvoiceCursor } from './cursor-store';
import { withFields } from './log';
import type { BridgeMetrics } from './metrics';
import { SettlementTracker } from './settlement-tracker';

export type InvoiceStreamNode = Pick<LightningNode, 'subscribeSettlements' | 'listInvoices'>;

export interface InvoiceStreamOptions {
  /** The node's id (LIGHTNING_NODES, or `default`): on its events, metrics and log lines. */
  nodeId: string;
  node: InvoiceStreamNode;
  bus: EventBus;
  cursorStore: CursorStore;
  log: Log;
  metrics: BridgeMetrics;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  catchUpIntervalMs: number;
  listPageSize: number;
  publishRetryBaseMs: number;
  publishRetryMaxMs: number;
  /** Told each time `connected` changes (the node's status item is rewritten then, for invoice placement). */
  onConnectedChange?: (connected: boolean) => void;
}

/**
 * Turns one node's settled invoices into InvoiceSettled events, losing none (invariant 5).
 * The bridge runs one per node, each with its own cursor, so a node that is down holds up
 * only its own settlements.
 *
 * - The node's paid-invoice stream from the persisted cursor (a settleIndex): the node
 *   first replays every settlement above it, then streams live ones. After a drop it
 *   reconnects with exponential backoff and jitter, from the cursor in memory.
 * - After every (re)connect, periodically, and whenever a settleIndex is missing, a
 *   listInvoices catch-up pages by addIndex from the cursor's `scanAddIndex` and picks up
 *   any settled invoice above the cursor not seen yet. That is also how a fresh bridge
 *   (cursor 0, for which LND replays nothing) catches up, and how gaps in the settleIndex
 *   are told apart from missed settlements.
 * - Settlements are published at most 10 per PutEvents; refused entries are retried, and
 *   only they. The cursor is persisted after the events are accepted, and never past a
 *   settlement that is not published, even when later ones are.
 *
 * Duplicates (the node's backlog overlaps live events, the catch-up overlaps both) are dropped
 * here when seen before, and are harmless downstream anyway: crediting is idempotent.
 */
export class InvoiceStream {
  private tracker = new SettlementTracker(0);
  private readonly pending = new Map<number, InvoiceSettled>();
  private addIndex = 0;
  private scanAddIndex = 0;
  private persisted: InvoiceCursor | undefined;
  private readonly stopping = new AbortController();
  private currentStream: { cancel(): void } | undefined;
  private wakePublisher: (() => void) | undefined;
  private scanRequested = false;
  private scanning: Promise<void> | undefined;
  private lastGapScanMs = 0;
  private gapScanTimer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private loops: Promise<unknown>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private streamOpen = false;
  private caughtUp = false;
  private lastActivity = Date.now();
  private readonly labels: { node: string };
  private readonly log: Log;
  private shownConnected = false;

  constructor(private readonly options: InvoiceStreamOptions) {
    this.labels = { node: options.nodeId };
    this.log = withFields(options.log, { node: options.nodeId });
    // Every node on /metrics from the start, not only once something happened to it.
    const { metrics } = options;
    metrics.invoiceStreamConnected.set(this.labels, 0);
    metrics.invoiceStreamReconnects.inc(this.labels, 0);
    metrics.settlementsPublished.inc(this.labels, 0);
    metrics.catchUps.inc(this.labels, 0);
    metrics.settleIndexGaps.inc(this.labels, 0);
    this.markActivity();
  }

  get nodeId(): string {
    return this.options.nodeId;
  }

  /** Connected to the node and caught up at least once since the last (re)connect. */
  get connected(): boolean {
    return this.streamOpen && this.caughtUp;
  }

  /** The connected gauge, and onConnectedChange when it changed. */
  private showConnected(): void {
    const connected = this.connected;
    this.options.metrics.invoiceStreamConnected.set(this.labels, connected ? 1 : 0);
    if (connected === this.shownConnected) return;
    this.shownConnected = connected;
    this.options.onConnectedChange?.(connected);
  }

  get cursor(): number {
    return this.tracker.cursor;
  }

  /**
   * When the stream last showed that it works, in ms since the epoch: a message on the stream,
   * a completed catch-up (every catchUpIntervalMs while the stream is open), or the start.
   * A quiet node that is fine is never silent much longer than catchUpIntervalMs.
   */
  get lastActivityMs(): number {
    return this.lastActivity;
  }

  private markActivity(): void {
    this.lastActivity = Date.now();
    this.options.metrics.invoiceStreamLastActivity.set(this.labels, Math.floor(this.lastActivity / 1000));
  }

  start(): void {
    this.loops = [this.run(), this.publishLoop()];
    this.timer = setInterval(() => {
      if (this.streamOpen) this.requestScan();
    }, this.options.catchUpIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.timer);
    clearTimeout(this.gapScanTimer);
    this.currentStream?.cancel();
    this.wakePublisher?.();
    await Promise.allSettled(this.loops);
    await this.scanning?.catch(() => undefined);
    this.persist();
    await this.saving;
  }

  private get signal(): AbortSignal {
    return this.stopping.signal;
  }

  private async run(): Promise<void> {
    const { log } = this;
    const { metrics } = this.options;
    await this.loadCursor();
    let attempt = 0;
    while (!this.signal.aborted) {
      const openedAt = Date.now();
      const stream = this.options.node.subscribeSettlements(this.tracker.cursor);
      this.currentStream = stream;
      this.streamOpen = true;
      this.caughtUp = false;
      this.showConnected();
      log.info('invoice stream subscribed', { settleIndex: this.tracker.cursor, addIndex: this.addIndex });
      this.requestScan();
      let endedWith: unknown;
      try {
        for await (const invoice of stream) {
          this.markActivity();
          this.accept(invoice, 'stream');
        }
      } catch (error) {
        endedWith = error;
      }
      this.streamOpen = false;
      this.caughtUp = false;
      this.showConnected();
      if (this.signal.aborted) break;
      metrics.invoiceStreamReconnects.inc(this.labels);
      // A stream that lived a while was healthy: start the backoff over.
      attempt = Date.now() - openedAt > this.options.reconnectMaxMs ? 0 : attempt + 1;
      const delayMs = backoffDelayMs(attempt, { baseMs: this.options.reconnectBaseMs, maxMs: this.options.reconnectMaxMs });
      log.warn('invoice stream ended; reconnecting', { delayMs, ...(endedWith ? errorFields(endedWith) : { error: { name: 'StreamEnded', message: 'closed by the node' } }) });
      await sleep(delayMs, this.signal);
    }
  }

  private async loadCursor(): Promise<void> {
    for (let attempt = 0; !this.signal.aborted; attempt++) {
      try {
        const cursor = await this.options.cursorStore.load();
        this.tracker = new SettlementTracker(cursor.settleIndex);
        this.addIndex = cursor.addIndex;
        this.scanAddIndex = cursor.scanAddIndex;
        this.persisted = cursor;
        this.options.metrics.settleIndexCursor.set(this.labels, cursor.settleIndex);
        this.log.info('invoice cursor loaded', { ...cursor });
        return;
      } catch (error) {
        this.log.warn('could not load the invoice cursor; retrying', errorFields(error));
        await sleep(backoffDelayMs(attempt, { baseMs: this.options.reconnectBaseMs, maxMs: this.options.reconnectMaxMs }), this.signal);
      }
    }
  }

  /** A settled invoice from the stream or the list: queue it for publishing unless seen before. */
  private accept(invoice: NodeInvoice, via: 'stream' | 'list'): void {
    if (invoice.addIndex > this.addIndex) this.addIndex = invoice.addIndex;
    if (invoice.state !== NodeInvoiceState.settled || invoice.settleIndex <= 0) return;
    if (!this.tracker.observe(invoice.settleIndex)) return;
    const detail = invoiceSettledSchema.safeParse({
      payment_hash: invoice.paymentHash,
      amount_paid_msat: invoice.amountPaidMsat,
      settled_at: new Date((invoice.settledAtSec ?? Math.floor(Date.now() / 1000)) * 1000).toISOString(),
      settle_index: String(invoice.settleIndex),
      node_id: this.options.nodeId,
    });
    if (!detail.success) {
      // Nothing arrived that could be credited (a settlement of 0 msat): nothing to publish.
      this.log.error('settled invoice that cannot be published; skipped', { paymentHash: invoice.paymentHash, settleIndex: invoice.settleIndex });
      this.tracker.markPublished(invoice.settleIndex);
      return;
    }
    this.options.metrics.settlementsSeen.inc({ ...this.labels, via });
    this.log.debug('settlement seen', { via, settleIndex: invoice.settleIndex, paymentHash: invoice.paymentHash });
    this.pending.set(invoice.settleIndex, detail.data);
    this.wakePublisher?.();
  }

  private async publishLoop(): Promise<void> {
    const { log } = this;
    const { bus, metrics } = this.options;
    let attempt = 0;
    while (!this.signal.aborted) {
      if (this.pending.size === 0) {
        await new Promise<void>((resolve) => (this.wakePublisher = resolve));
        this.wakePublisher = undefined;
        continue;
      }
      // Oldest first, so the cursor can follow.
      const batch = [...this.pending.values()].sort((a, b) => Number(a.settle_index) - Number(b.settle_index)).slice(0, MAX_ENTRIES_PER_PUT);
      let result: PutEventsResult;
      try {
        result = await bus.putEvents(batch.map((detail) => ({ source: BusSource.node, detailType: NodeDetailType.invoiceSettled, detail })));
      } catch (error) {
        log.warn('PutEvents failed for settlements; retrying', { entries: batch.length, ...errorFields(error) });
        result = { failed: batch.map((_detail, index) => ({ index, errorCode: 'CallFailed', errorMessage: '' })) };
      }
      const refused = new Set(result.failed.map((failure) => failure.index));
      batch.forEach((detail, index) => {
        if (refused.has(index)) return;
        const settleIndex = Number(detail.settle_index);
        this.pending.delete(settleIndex);
        this.tracker.markPublished(settleIndex);
        metrics.settlementsPublished.inc(this.labels);
      });
      if (this.tracker.advance()) this.persist();
      if (this.tracker.hasHoles()) this.requestScan('gap');
      if (refused.size > 0) {
        metrics.putEventsRefused.inc(refused.size);
        log.warn('PutEvents refused settlements; retrying those', { refused: refused.size, errorCodes: [...new Set(result.failed.map((f) => f.errorCode))] });
        await sleep(backoffDelayMs(attempt++, { baseMs: this.options.publishRetryBaseMs, maxMs: this.options.publishRetryMaxMs }), this.signal);
      } else {
        attempt = 0;
      }
    }
  }

  /** Writes the cursor, one write at a time, never the same values twice. */
  private persist(): void {
    this.options.metrics.settleIndexCursor.set(this.labels, this.tracker.cursor);
    this.saving = this.saving.then(async () => {
      const cursor: InvoiceCursor = { settleIndex: this.tracker.cursor, addIndex: this.addIndex, scanAddIndex: this.scanAddIndex };
      const last = this.persisted;
      if (!last || cursor.settleIndex < last.settleIndex) return;
      if (last.settleIndex === cursor.settleIndex && last.addIndex === cursor.addIndex && last.scanAddIndex === cursor.scanAddIndex) return;
      try {
        await this.options.cursorStore.save(cursor);
        this.persisted = cursor;
      } catch (error) {
        // The next advance writes again; until then a restart replays a little more.
        this.log.warn('could not persist the invoice cursor', errorFields(error));
      }
    });
  }

  /** Runs a listInvoices catch-up soon; requests during a scan queue exactly one more. */
  private requestScan(reason: 'connect' | 'gap' = 'connect'): void {
    if (reason === 'gap' && Date.now() - this.lastGapScanMs < 250) {
      // A stubborn hole is re-examined, but not in a tight loop.
      this.gapScanTimer ??= setTimeout(() => {
        this.gapScanTimer = undefined;
        if (this.tracker.hasHoles()) this.requestScan('gap');
      }, 250);
      return;
    }
    if (reason === 'gap') this.lastGapScanMs = Date.now();
    this.scanRequested = true;
    if (this.scanning) return;
    this.scanning = (async () => {
      while (this.scanRequested && !this.signal.aborted && this.streamOpen) {
        this.scanRequested = false;
        try {
          await this.catchUp();
        } catch (error) {
          this.log.warn('invoice list catch-up failed; trying again', errorFields(error));
          // If the stream is down too, its reconnect asks for the next catch-up; if not, this does.
          setTimeout(() => {
            if (this.streamOpen && !this.signal.aborted) this.requestScan();
          }, this.options.reconnectMaxMs).unref();
          break;
        }
      }
      this.scanning = undefined;
    })();
  }

  private async catchUp(): Promise<void> {
    const { log } = this;
    const { node, listPageSize, metrics } = this.options;
    // Every settlement up to here happened before this scan starts, so the scan sees it.
    const seenUpTo = this.tracker.highestKnown;
    const cursorAtStart = this.tracker.cursor;
    let offset = this.scanAddIndex;
    let lowWater: number | undefined;
    let lastAddIndex = offset;
    let pages = 0;
    for (;;) {
      if (this.signal.aborted) return;
      const page = await node.listInvoices({ afterAddIndex: offset, limit: listPageSize });
      pages++;
      for (const invoice of page.invoices) {
        this.accept(invoice, 'list');
        lastAddIndex = Math.max(lastAddIndex, invoice.addIndex);
        const open = invoice.state === NodeInvoiceState.open || invoice.state === NodeInvoiceState.accepted;
        const settledAboveCursor = invoice.state === NodeInvoiceState.settled && invoice.settleIndex > cursorAtStart;
        if (lowWater === undefined && (open || settledAboveCursor)) lowWater = invoice.addIndex - 1;
      }
      if (page.invoices.length < listPageSize || page.lastAddIndex <= offset) break;
      offset = page.lastAddIndex;
    }
    const scanFrom = lowWater ?? lastAddIndex;
    if (scanFrom > this.scanAddIndex) this.scanAddIndex = scanFrom;
    const gapsBefore = this.tracker.gapsSkipped;
    this.tracker.confirmGapsUpTo(seenUpTo);
    this.tracker.advance();
    this.persist();
    const gaps = this.tracker.gapsSkipped - gapsBefore;
    if (gaps > 0) {
      metrics.settleIndexGaps.inc(this.labels, gaps);
      log.info('settleIndex gaps confirmed by the invoice list and skipped', { gaps, cursor: this.tracker.cursor });
    }
    metrics.catchUps.inc(this.labels);
    this.caughtUp = true;
    this.showConnected();
    this.markActivity();
    log.debug('invoice list catch-up done', { pages, cursor: this.tracker.cursor, scanAddIndex: this.scanAddIndex, pending: this.pending.size });
  }
}
