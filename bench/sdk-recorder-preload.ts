/**
 * Loaded into the node-bridge child by `npm run cost` (NODE_OPTIONS=--import ...): records
 * the bridge's own AWS calls with the same meter as the parent (every DynamoDB call asks for
 * ReturnConsumedCapacity=INDEXES) and writes the usage to BENCH_USAGE_FILE every 250 ms and
 * at exit. The meter reads updated items back (unrecorded) for its size-model cross-check,
 * through the bridge's own DynamoDB endpoint. Never loaded otherwise.
 */
import { writeFileSync } from 'node:fs';
import { createTable } from '../functions/lib/table/client';
import { UsageMeter } from './aws-usage';
import { recordSdkCalls } from './sdk-recorder';

const file = process.env.BENCH_USAGE_FILE;
if (file) {
  const mainTable = process.env.TABLE_NAME ?? '';
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  const reader = mainTable && endpoint ? createTable(mainTable, { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }) : undefined;
  const meter = new UsageMeter({ mainTable, queueTable: process.env.LOCAL_QUEUE_TABLE ?? '', ...(reader ? { reader } : {}) });
  recordSdkCalls((call) => meter.record(call), { consumedCapacity: true });
  const flush = () => writeFileSync(file, JSON.stringify(meter.usage));
  setInterval(flush, 250).unref();
  process.on('exit', flush);
}
