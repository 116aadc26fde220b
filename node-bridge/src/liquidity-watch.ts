import { BusSource, liquidityLowSchema, NodeDetailType } from '../../functions/lib/bus/bus-events';
import type { EventBus } from '../../functions/lib/bus/event-bus';
import { errorFields, type Log } from '../../functions/lib/runtime/log';
import { publishAll } from '../../functions/lib/bus/publish';
import type { LightningNode } from '../../functions/lib/node/lightning-node';
import type { NodeStatus } from '../../functions/lib/node/node-status';
import type { BridgeMetrics } from './metrics';

export interface Liquidity {
  outboundMsat: number;
  inboundMsat: number;
}

export interface WatchedNode {
  id: string;
  node: Pick<LightningNode, 'channelBalance' | 'getNodeInfo'>;
}

export interface LiquidityWatchOptions {
  nodes: readonly WatchedNode[];
  bus: EventBus;
  log: Log;
  metrics: BridgeMetrics;
  intervalMs: number;
  /** 0 turns the alert off. */
  minOutboundMsat: number;
  minInboundMsat: number;
  /** While liquidity stays low, the alert is repeated this often. */
  alertRepeatMs: number;
  /**
   * Several nodes: each node's reading goes to the table for the API's invoice placement
   * (node-status.ts), with its stream state. Unset with one node: nothing is written.
   */
  status?: { write(status: NodeStatus): Promise<void>; streamConnected(nodeId: string): boolean };
}

/**
 * Channel balances of every node on a timer, as metrics (the unlabelled gauges and the
 * LiquidityLow alert are the total over the nodes that answered; the labelled ones each
 * node's), and the per-node readings the payout worker routes by. A LiquidityLow event when
 * the total outbound (what we can pay out) or inbound (what we can receive) falls below its
 * threshold: on the way down, then every alertRepeatMs while it stays low.
 */
export interface LiquidityWatch {
  /** The total of the last balances read, if any node's last read worked. */
  latest(): Liquidity | undefined;
  /** One node's last balances, if its last read worked. */
  ofNode(nodeId: string): Liquidity | undefined;
  /** The keys of the nodes read so far: the payees of our own invoices. */
  pubkeys(): ReadonlySet<string>;
  /** Reads (and writes the status items) now, after the one running, instead of waiting for the interval. */
  refresh(): void;
  stop(): Promise<void>;
}

export function startLiquidityWatch(options: LiquidityWatchOptions): LiquidityWatch {
  const { log, metrics } = options;
  const readings = new Map<string, Liquidity>();
  const pubkeyOf = new Map<string, string>();
  const lastAlertMs: Record<'outbound' | 'inbound', number | undefined> = { outbound: undefined, inbound: undefined };
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const total = (): Liquidity | undefined => {
    if (readings.size === 0) return undefined;
    let outboundMsat = 0;
    let inboundMsat = 0;
    for (const reading of readings.values()) {
      outboundMsat += reading.outboundMsat;
      inboundMsat += reading.inboundMsat;
    }
    return { outboundMsat, inboundMsat };
  };

  async function read({ id, node }: WatchedNode): Promise<void> {
    if (!pubkeyOf.has(id)) {
      // The key never changes: read until known once.
      await node.getNodeInfo().then(
        (info) => void pubkeyOf.set(id, info.pubkey),
        (error: unknown) => log.warn('could not read node info', { nodeId: id, ...errorFields(error) }),
      );
    }
    try {
      const balance = await node.channelBalance();
      readings.set(id, { outboundMsat: balance.outboundMsat, inboundMsat: balance.inboundMsat });
      metrics.nodeOutboundMsat.set({ node: id }, balance.outboundMsat);
      metrics.nodeInboundMsat.set({ node: id }, balance.inboundMsat);
    } catch (error) {
      log.warn('could not read channel balances', { nodeId: id, ...errorFields(error) });
      readings.delete(id);
    }
    if (!options.status) return;
    const reading = readings.get(id);
    const now = Date.now();
    try {
      await options.status.write({
        nodeId: id,
        pubkey: pubkeyOf.get(id) ?? null,
        inboundMsat: reading?.inboundMsat ?? null,
        outboundMsat: reading?.outboundMsat ?? null,
        streamConnected: options.status.streamConnected(id),
        updatedAt: new Date(now).toISOString(),
        // Three readings may be missed before the API stops trusting this one.
        freshUntilMs: now + 3 * options.intervalMs,
      });
    } catch (error) {
      log.warn('could not write the node status', { nodeId: id, ...errorFields(error) });
    }
  }

  async function check(): Promise<void> {
    await Promise.all(options.nodes.map(read));
    const balance = total();
    if (!balance) return;
    metrics.channelLocalMsat.set(balance.outboundMsat);
    metrics.channelRemoteMsat.set(balance.inboundMsat);
    const directions = [
      { direction: 'outbound' as const, availableMsat: balance.outboundMsat, thresholdMsat: options.minOutboundMsat },
      { direction: 'inbound' as const, availableMsat: balance.inboundMsat, thresholdMsat: options.minInboundMsat },
    ];
    for (const { direction, availableMsat, thresholdMsat } of directions) {
      const low = thresholdMsat > 0 && availableMsat < thresholdMsat;
      metrics.liquidityLow.set({ direction }, low ? 1 : 0);
      if (!low) {
        lastAlertMs[direction] = undefined;
        continue;
      }
      const last = lastAlertMs[direction];
      if (last !== undefined && Date.now() - last < options.alertRepeatMs) continue;
      const detail = liquidityLowSchema.parse({ direction, available_msat: availableMsat, threshold_msat: thresholdMsat, observed_at: new Date().toISOString() });
      try {
        await publishAll(options.bus, [{ source: BusSource.node, detailType: NodeDetailType.liquidityLow, detail }], { baseMs: 200, maxMs: 2000, maxAttempts: 3, log });
        lastAlertMs[direction] = Date.now();
        log.warn('liquidity low', { direction, availableMsat, thresholdMsat });
      } catch (error) {
        log.warn('could not publish LiquidityLow; trying again next time', errorFields(error));
      }
    }
  }

  let refreshQueued = false;
  const tick = () => {
    running = running.then(() => (stopped ? undefined : check()));
  };
  tick();
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  return {
    latest: total,
    ofNode: (nodeId) => readings.get(nodeId),
    pubkeys: () => new Set(pubkeyOf.values()),
    refresh: () => {
      // Several changes while a read is queued need only that one read.
      if (refreshQueued) return;
      refreshQueued = true;
      running = running.then(() => {
        refreshQueued = false;
        return stopped ? undefined : check();
      });
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
