import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgeBus } from '../../functions/lib/bus/eventbridge-bus';
import { SqsQueue } from '../../functions/lib/queue/sqs-queue';
import type { BridgeTransport } from './bridge';
import { BridgeConfigError, type BridgeConfig } from './config';

/** SQS queues and the EventBridge bus, for the bridge in ECS. */
export function awsBridgeTransport(config: BridgeConfig): BridgeTransport {
  if (config.queues.backend !== 'sqs' || config.bus.backend !== 'eventbridge') {
    throw new BridgeConfigError(
      'Invalid node-bridge configuration: node-bridge/main.ts needs QUEUE_BACKEND=sqs and BUS_BACKEND=eventbridge; the local backends run from the local stack (infra/local/bridge-main.ts)',
    );
  }
  const clientConfig = config.region ? { region: config.region } : {};
  const sqs = new SQSClient(clientConfig);
  const eventBridge = new EventBridgeClient(clientConfig);
  return {
    payoutQueue: new SqsQueue(sqs, config.queues.payoutQueueUrl),
    cancelQueue: new SqsQueue(sqs, config.queues.invoiceCancelQueueUrl),
    bus: new EventBridgeBus(eventBridge, config.bus.eventBusName),
    close() {
      sqs.destroy();
      eventBridge.destroy();
    },
  };
}
