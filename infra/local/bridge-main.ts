import { runBridgeProcess } from '../../node-bridge/src/process';
import { localBridgeTransport } from './bridge-transport';

/** The node-bridge on the local stack: the same process as in ECS, with the local queues and bus. */
await runBridgeProcess(localBridgeTransport);
