import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** Everything the bridge exports on /metrics, on a registry of its own (tests run several bridges in one process). */
export function createBridgeMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'node_bridge_' });
  const counter = (name: string, help: string, labelNames: string[] = []) => new Counter({ name, help, labelNames, registers: [registry] });
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  return {
    registry,
    // The settlement streams' metrics carry the node's id: each node has its own stream and cursor.
    invoiceStreamConnected: gauge('bridge_invoice_stream_connected', "1 while the node's paid-invoice stream is open and caught up", ['node']),
    invoiceStreamLastActivity: gauge(
      'bridge_invoice_stream_last_activity_timestamp_seconds',
      "When the node's stream last showed it works (a settlement, a completed catch-up, the stream's start), Unix seconds",
      ['node'],
    ),
    invoiceStreamReconnects: counter('bridge_invoice_stream_reconnects_total', "Paid-invoice streams that ended and were opened again", ['node']),
    settlementsSeen: counter('bridge_settlements_seen_total', 'Settled invoices first seen, by where they came from', ['node', 'via']),
    settlementsPublished: counter('bridge_settlements_published_total', 'InvoiceSettled events accepted by the bus', ['node']),
    settleIndexCursor: gauge('bridge_settle_index_cursor', 'Highest settle index below which every settlement is published', ['node']),
    settleIndexGaps: counter('bridge_settle_index_gaps_total', 'Settle index values the node never used (confirmed by listing invoices)', ['node']),
    catchUps: counter('bridge_invoice_catch_ups_total', 'Invoice list catch-up scans completed', ['node']),
    putEventsRefused: counter('bridge_put_events_refused_entries_total', 'Entries PutEvents refused (retried), settlements and payment results alike'),
    payoutsReceived: counter('bridge_payouts_received_total', 'Payout messages received (redeliveries included)'),
    paymentsSent: counter('bridge_payments_sent_total', 'SendPaymentV2 calls'),
    paymentsTracked: counter('bridge_payments_tracked_total', 'TrackPaymentV2 calls'),
    paymentResults: counter('bridge_payment_results_total', 'Final payment states published', ['status']),
    paymentsInFlight: gauge('bridge_payments_in_flight', 'Payments this bridge is following right now'),
    payoutVisibilityExtensions: counter('bridge_payout_visibility_extensions_total', 'Times a payout message was kept hidden while its payment was in flight'),
    invoiceCancels: counter('bridge_invoice_cancels_total', 'CancelInvoice results', ['result']),
    channelLocalMsat: gauge('lnd_channel_local_balance_msat', 'Outbound liquidity: our side of the channels, over every node that answered'),
    channelRemoteMsat: gauge('lnd_channel_remote_balance_msat', 'Inbound liquidity: the peers\' side of the channels, over every node that answered'),
    nodeOutboundMsat: gauge('bridge_node_outbound_liquidity_msat', "One node's outbound liquidity (what payouts are routed by)", ['node']),
    nodeInboundMsat: gauge('bridge_node_inbound_liquidity_msat', "One node's inbound liquidity (what invoices are placed by)", ['node']),
    payoutsOnUnknownNode: counter('bridge_payouts_on_unknown_node_total', 'Payout messages left alone: their withdrawal is recorded on a node this bridge does not have'),
    payoutsToOwnNode: counter('bridge_payouts_to_own_node_total', 'Payouts refused before sending: the invoice is one of our own nodes\' (never routed)'),
    liquidityLow: gauge('bridge_liquidity_low', '1 while liquidity in a direction is below its threshold', ['direction']),
  };
}

export type BridgeMetrics = ReturnType<typeof createBridgeMetrics>;
