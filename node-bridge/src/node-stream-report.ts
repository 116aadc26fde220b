import { METRICS_NAMESPACE } from '../../functions/lib/observability/log-metrics';

/**
 * What the bridge reports of each node's settlement stream every heartbeat, as CloudWatch
 * Embedded Metric Format lines (the awslogs driver's log group extracts them; no SDK call, no
 * permission): the names an alarm on "a node stopped streaming" reads.
 */
export const NodeStreamMetrics = {
  namespace: METRICS_NAMESPACE,
  /** One line per node, dimension `node`. */
  event: 'bridge.node_stream',
  dimension: 'node',
  /** 1 while the node's stream is open and caught up, else 0. */
  connected: 'NodeStreamConnected',
  /** Seconds since the stream last showed it works (InvoiceStream.lastActivityMs). */
  silentSec: 'NodeStreamSilentSec',
  /** One line for the whole bridge, no dimension: how many nodes are not streaming. */
  summaryEvent: 'bridge.node_streams',
  streamsDown: 'NodeStreamsDown',
} as const;

export interface NodeStreamStatus {
  readonly nodeId: string;
  readonly connected: boolean;
  readonly lastActivityMs: number;
}

const emf = (timestampMs: number, dimensions: string[], metrics: Array<{ name: string; unit: string }>) => ({
  _aws: {
    Timestamp: timestampMs,
    CloudWatchMetrics: [{ Namespace: NodeStreamMetrics.namespace, Dimensions: [dimensions], Metrics: metrics.map(({ name, unit }) => ({ Name: name, Unit: unit })) }],
  },
});

/** The heartbeat's lines about the streams: one per node, then the count of nodes down. */
export function nodeStreamLines(streams: readonly NodeStreamStatus[], nowMs: number): Array<Record<string, unknown>> {
  const perNode = streams.map((stream) => ({
    ...emf(nowMs, [NodeStreamMetrics.dimension], [
      { name: NodeStreamMetrics.connected, unit: 'None' },
      { name: NodeStreamMetrics.silentSec, unit: 'Seconds' },
    ]),
    event: NodeStreamMetrics.event,
    [NodeStreamMetrics.dimension]: stream.nodeId,
    [NodeStreamMetrics.connected]: stream.connected ? 1 : 0,
    [NodeStreamMetrics.silentSec]: Math.max(0, Math.floor((nowMs - stream.lastActivityMs) / 1000)),
  }));
  const summary = {
    ...emf(nowMs, [], [{ name: NodeStreamMetrics.streamsDown, unit: 'Count' }]),
    event: NodeStreamMetrics.summaryEvent,
    [NodeStreamMetrics.streamsDown]: streams.filter((stream) => !stream.connected).length,
  };
  return [...perNode, summary];
}
