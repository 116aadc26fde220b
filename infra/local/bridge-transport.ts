import type { BridgeTransport } from '../../node-bridge/src/bridge';
import { dynamoClientConfig } from '../../node-bridge/src/bridge';
import { BridgeConfigError, type BridgeConfig } from '../../node-bridge/src/config';
import { createTable } from '../../functions/lib/table/client';
import { delivery } from '../delivery';
import { LocalBusClient } from './aws/local-bus';
import { LocalQueues } from './aws/local-queue';

/** The local stand-ins of the bridge's queues and bus, in the local queue table every process of the local stack shares. */
export function localBridgeTransport(config: BridgeConfig): BridgeTransport {
  if (config.queues.backend !== 'local' || config.bus.backend !== 'local') {
    throw new BridgeConfigError('Invalid node-bridge configuration: the local stack runs the bridge with QUEUE_BACKEND=local and BUS_BACKEND=local');
  }
  const queueTable = createTable(config.queues.tableName, dynamoClientConfig(config));
  const queues = new LocalQueues(queueTable, { pollIntervalMs: config.queues.pollIntervalMs });
  return {
    payoutQueue: queues.queue(config.queues.payoutQueueName, { maxReceiveCount: config.queues.payoutMaxReceiveCount }),
    cancelQueue: queues.queue(config.queues.invoiceCancelQueueName, { maxReceiveCount: delivery.queues.invoiceCancel.maxReceiveCount }),
    bus: new LocalBusClient(queues.queue(config.bus.ingressQueueName)),
    close: () => queueTable.doc.destroy(),
  };
}
