import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** Everything the bridge exports on /metrics, on a registry of its own (tests run several bridges in one process). */
export function createBridgeMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'node_bridge_' });
  const counter = (name: string, help: string, labelNames: string[] = []) => new Counter({ name, help, labelNames, registers: [registry] });
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  return {
    registry,
    invoiceStreamConnected: gauge('bridge_invoice_stream_connected', '1 while the SubscribeInvoices stream is open'),
    invoiceStreamReconnects: counter('bridge_invoice_stream_reconnects_total', 'SubscribeInvoices streams that ended and were opened again'),
    settlementsSeen: counter('bridge_settlements_seen_total', 'Settled invoices first seen, by where they came from', ['via']),
    settlementsPublished: counter('bridge_settlements_published_total', 'InvoiceSettled events accepted by the bus'),
    settleIndexCursor: gauge('bridge_settle_index_cursor', 'Highest settle_index below which every settlement is published'),
    settleIndexGaps: counter('bridge_settle_index_gaps_total', 'settle_index values the node never used (confirmed by ListInvoices)'),
    catchUps: counter('bridge_invoice_catch_ups_total', 'ListInvoices catch-up scans completed'),
    putEventsRefused: counter('bridge_put_events_refused_entries_total', 'Entries PutEvents refused (retried)'),
    payoutsReceived: counter('bridge_payouts_received_total', 'Payout messages received (redeliveries included)'),
    paymentsSent: counter('bridge_payments_sent_total', 'SendPaymentV2 calls'),
    paymentsTracked: counter('bridge_payments_tracked_total', 'TrackPaymentV2 calls'),
    paymentResults: counter('bridge_payment_results_total', 'Final payment states published', ['status']),
    paymentsInFlight: gauge('bridge_payments_in_flight', 'Payments this bridge is following right now'),
    payoutVisibilityExtensions: counter('bridge_payout_visibility_extensions_total', 'Times a payout message was kept hidden while its payment was in flight'),
    invoiceCancels: counter('bridge_invoice_cancels_total', 'CancelInvoice results', ['result']),
    channelLocalMsat: gauge('lnd_channel_local_balance_msat', 'Outbound liquidity: our side of the channels'),
    channelRemoteMsat: gauge('lnd_channel_remote_balance_msat', 'Inbound liquidity: the peers\' side of the channels'),
    liquidityLow: gauge('bridge_liquidity_low', '1 while liquidity in a direction is below its threshold', ['direction']),
  };
}

export type BridgeMetrics = ReturnType<typeof createBridgeMetrics>;
