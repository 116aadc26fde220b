/**
 * `npm run lnd:check`: proves the LND_* settings reach a node, by calling
 * GetInfo and ChannelBalance with them. Works against a real LND or the simulator.
 */
import { type LndClient, LndError, lndClientFromEnv, NodeUnavailableError, PermissionDeniedError } from '../functions/lib/lnd';

function explain(error: unknown, host: string | undefined): string {
  if (error instanceof NodeUnavailableError) return `cannot reach LND at ${host}: ${error.details}`;
  if (error instanceof PermissionDeniedError) return `LND at ${host} refused the macaroon: ${error.details}`;
  if (error instanceof LndError) return `LND at ${host} answered with an error: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<number> {
  let client: LndClient;
  try {
    client = lndClientFromEnv(process.env, { unaryTimeoutMs: 10_000 });
  } catch (error) {
    console.error(`lnd:check: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const host = process.env.LND_GRPC_HOST;
  try {
    const info = await client.getInfo();
    const balance = await client.channelBalance();
    console.log(`lnd:check: connected to ${host}`);
    console.log(
      JSON.stringify(
        {
          get_info: {
            identity_pubkey: info.identityPubkey,
            alias: info.alias,
            version: info.version,
            network: info.network,
            block_height: info.blockHeight,
            synced_to_chain: info.syncedToChain,
            synced_to_graph: info.syncedToGraph,
            num_active_channels: info.numActiveChannels,
            num_peers: info.numPeers,
          },
          channel_balance: {
            local_msat: balance.localMsat,
            remote_msat: balance.remoteMsat,
            unsettled_local_msat: balance.unsettledLocalMsat,
            pending_open_local_msat: balance.pendingOpenLocalMsat,
          },
        },
        null,
        2,
      ),
    );
    return 0;
  } catch (error) {
    console.error(`lnd:check: ${explain(error, host)}`);
    return 1;
  } finally {
    client.close();
  }
}

main().then((code) => {
  process.exitCode = code;
});
