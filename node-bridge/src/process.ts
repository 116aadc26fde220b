import { startNodeBridge, type BridgeTransport } from './bridge';
import { readBridgeConfig, type BridgeConfig } from './config';

function fail(message: string): never {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', service: 'node-bridge', message })}\n`);
  process.exit(1);
}

/**
 * The node-bridge as a process: configuration from the environment (see config.ts), the
 * transport its starter makes, then the invoice stream, the payout and cancel workers, the
 * liquidity watch and the health server. SIGTERM (ECS stopping the task) or SIGINT stops
 * taking work, gives in-flight payments SHUTDOWN_GRACE_MS, and exits 0; the next bridge
 * tracks what was left in flight.
 */
export async function runBridgeProcess(transportFor: (config: BridgeConfig) => BridgeTransport): Promise<void> {
  let config: BridgeConfig;
  let transport: BridgeTransport;
  try {
    config = readBridgeConfig();
    transport = transportFor(config);
  } catch (error) {
    fail((error as Error).message);
  }

  const bridge = await startNodeBridge(config, transport).catch((error: Error) => fail(`node-bridge could not start: ${error.message}`));

  let shuttingDown = false;
  const shutdown = (reason: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', service: 'node-bridge', message: 'shutdown requested', reason })}\n`);
    // Never hang on the way out: ECS would SIGKILL us anyway.
    setTimeout(() => process.exit(1), config.shutdownGraceMs + 5_000).unref();
    bridge.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Started by the local pipeline with an IPC channel: go when the parent goes.
  if (process.send) process.on('disconnect', () => shutdown('parent exited'));
}
