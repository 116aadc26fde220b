import { awsBridgeTransport } from './src/aws-transport';
import { runBridgeProcess } from './src/process';

/** The node-bridge in ECS: SQS queues and the EventBridge bus (see src/process.ts for the lifecycle). */
await runBridgeProcess(awsBridgeTransport);
