import { BusSource, liquidityLowSchema, NodeDetailType } from '../../functions/lib/bus/bus-events';
import type { EventBus } from '../../functions/lib/bus/event-bus';
import { errorFields, type Log } from '../../functions/lib/runtime/log';
import { publishAll } from '../../functions/lib/bus/publish';
import type { LightningNode } from '../../functions/lib/node/lightning-node';
import type { BridgeMetrics } from './metrics';

export interface LiquidityWatchOptions {
  node: Pick<LightningNode, 'channelBalance'>;
  bus: EventBus;
  log: Log;
  metrics: BridgeMetrics;
  intervalMs: number;
  /** 0 turns the alert off. */
  minOutboundMsat: number;
  minInboundMsat: number;
  /** While liquidity stays low, the alert is repeated this often. */
  alertRepeatMs: number;
}

/**
 * Channel balances on a timer, as metrics, and a LiquidityLow event when outbound (our
 * side: what we can pay out) or inbound (the peers' side: what we can receive) falls below
 * its threshold: on the way down, then every alertRepeatMs while it stays low.
 */
export interface LiquidityWatch {
  /** The last balances read from the node, if the last read worked. */
  latest(): { outboundMsat: number; inboundMsat: number } | undefined;
  stop(): Promise<void>;
}

export function startLiquidityWatch(options: LiquidityWatchOptions): LiquidityWatch {
  const { node, log, metrics } = options;
  let latest: { outboundMsat: number; inboundMsat: number } | undefined;
  const lastAlertMs: Record<'outbound' | 'inbound', number | undefined> = { outbound: undefined, inbound: undefined };
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  async function check(): Promise<void> {
    let balance;
    try {
      balance = await node.channelBalance();
    } catch (error) {
      log.warn('could not read channel balances', errorFields(error));
      latest = undefined;
      return;
    }
    latest = { outboundMsat: balance.outboundMsat, inboundMsat: balance.inboundMsat };
    metrics.channelLocalMsat.set(balance.outboundMsat);
    metrics.channelRemoteMsat.set(balance.inboundMsat);
    const readings = [
      { direction: 'outbound' as const, availableMsat: balance.outboundMsat, thresholdMsat: options.minOutboundMsat },
      { direction: 'inbound' as const, availableMsat: balance.inboundMsat, thresholdMsat: options.minInboundMsat },
    ];
    for (const { direction, availableMsat, thresholdMsat } of readings) {
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

  const tick = () => {
    running = running.then(() => (stopped ? undefined : check()));
  };
  tick();
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  return {
    latest: () => latest,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
