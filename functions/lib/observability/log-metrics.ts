/**
 * Metrics that travel as JSON log lines: the emitters (node-bridge, consumers) and the CDK
 * metric filters that turn the lines into CloudWatch metrics share these names, so a rename
 * cannot silently break an alarm.
 */
export const METRICS_NAMESPACE = 'LightningPayments';

/** node-bridge logs one every minute while it runs; a missing heartbeat raises an alarm. */
export const BridgeHeartbeat = {
  event: 'bridge.heartbeat',
  fields: {
    /** Age of the oldest withdrawal not yet final (pending or in flight); 0 when there is none. */
    oldestOpenWithdrawalSec: 'oldest_open_withdrawal_sec',
    outboundLiquidityMsat: 'outbound_liquidity_msat',
    inboundLiquidityMsat: 'inbound_liquidity_msat',
  },
} as const;

/** settle-invoice logs one per credited settlement: node settle time → ledger credit. */
export const SettlementCredited = {
  event: 'settlement.credited',
  fields: { lagMs: 'lag_ms' },
} as const;

export interface BridgeHeartbeatLine {
  event: typeof BridgeHeartbeat.event;
  oldest_open_withdrawal_sec: number;
  /** Absent while the node's balances cannot be read. */
  outbound_liquidity_msat?: number;
  inbound_liquidity_msat?: number;
}

export interface SettlementCreditedLine {
  event: typeof SettlementCredited.event;
  lag_ms: number;
}
