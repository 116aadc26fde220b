import { readBridgeConfig, type BridgeConfig } from './src/config';
import { startNodeBridge } from './src/bridge';

/**
 * The node-bridge process: configuration from the environment (see src/config.ts), then
 * the invoice stream, the payout and cancel workers, the liquidity watch and the health
 * server. SIGTERM (ECS stopping the task) or SIGINT stops taking work, gives in-flight
 * payments SHUTDOWN_GRACE_MS, and exits 0; the next bridge tracks what was left in flight.
 */
function fail(message: string): never {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', service: 'node-bridge', message })}\n`);
  process.exit(1);
}

let config: BridgeConfig;
try {
  config = readBridgeConfig();
} catch (error) {
  fail((error as Error).message);
}

const bridge = await startNodeBridge(config).catch((error: Error) => fail(`node-bridge could not start: ${error.message}`));

let shuttingDown = false;
function shutdown(reason: string): void {
  if (shuttingDown) return;
  shuttingDown = true;
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', service: 'node-bridge', message: 'shutdown requested', reason })}\n`);
  // Never hang on the way out: ECS would SIGKILL us anyway.
  setTimeout(() => process.exit(1), config.shutdownGraceMs + 5_000).unref();
  bridge.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
// Started by the local pipeline with an IPC channel: go when the parent goes.
if (process.send) process.on('disconnect', () => shutdown('parent exited'));
