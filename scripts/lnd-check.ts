/**
 * `npm run lnd:check`: proves the LND_* settings reach a node, by asking it through the node
 * port for its identity and its channel balances (GetInfo and ChannelBalance on LND). Works
 * against a real LND or the simulator.
 */
import type { LightningNode } from '../functions/lib/node/lightning-node';
import { lndNodeFromEnv } from '../functions/lib/node/lnd/lnd-node';
import { NodeAccessDeniedError, NodeError, NodeUnreachableError } from '../functions/lib/node/node-errors';

function explain(error: unknown, host: string | undefined): string {
  if (error instanceof NodeUnreachableError) return `cannot reach the node at ${host}: ${error.details}`;
  if (error instanceof NodeAccessDeniedError) return `the node at ${host} refused the credentials: ${error.details}`;
  if (error instanceof NodeError) return `the node at ${host} answered with an error: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<number> {
  let node: LightningNode;
  try {
    node = lndNodeFromEnv(process.env, { unaryTimeoutMs: 10_000 });
  } catch (error) {
    console.error(`lnd:check: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const host = process.env.LND_GRPC_HOST;
  try {
    const info = await node.getNodeInfo();
    const balance = await node.channelBalance();
    console.log(`lnd:check: connected to ${host}`);
    console.log(
      JSON.stringify(
        {
          get_info: {
            identity_pubkey: info.pubkey,
            alias: info.alias,
            version: info.version,
            network: info.network,
            block_height: info.blockHeight,
            synced_to_chain: info.synced,
            num_active_channels: info.activeChannels,
            num_peers: info.peers,
          },
          channel_balance: {
            local_msat: balance.outboundMsat,
            remote_msat: balance.inboundMsat,
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
    node.close();
  }
}

main().then((code) => {
  process.exitCode = code;
});
