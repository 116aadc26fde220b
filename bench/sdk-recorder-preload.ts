/**
 * Loaded into the node-bridge child by `npm run cost` (NODE_OPTIONS=--import ...): records
 * the bridge's own AWS calls with the same meter as the parent and writes the usage to
 * BENCH_USAGE_FILE every 250 ms and at exit. Never loaded otherwise.
 */
import { writeFileSync } from 'node:fs';
import { UsageMeter } from './aws-usage';
import { recordSdkCalls } from './sdk-recorder';

const file = process.env.BENCH_USAGE_FILE;
if (file) {
  const meter = new UsageMeter({ mainTable: process.env.TABLE_NAME ?? '', queueTable: process.env.LOCAL_QUEUE_TABLE ?? '' });
  recordSdkCalls((call) => meter.record(call), { consumedCapacity: true });
  const flush = () => writeFileSync(file, JSON.stringify(meter.usage));
  setInterval(flush, 250).unref();
  process.on('exit', flush);
}
