/**
 * `npm run node:check` (also `lnd:check`): proves the bridge's node settings reach every
 * node, LND or Core Lightning, by asking each through the node port for its identity, chain
 * state and balances. Reads what the bridge reads: LIGHTNING_NODES, or the single-node
 * variables (LND_* or CLN_*) as node `default`. LND_NETWORK, when set, is the network every
 * node must be on; NODE_CHECK_TIMEOUT_MS bounds each call (10 s). Exits 1 when any node fails.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectNode } from '../functions/lib/node/connect-node';
import type { Credential } from '../functions/lib/node/credentials';
import type { LightningNode } from '../functions/lib/node/lightning-node';
import { type NamedNodeConnection, describeNode, parseNodeList } from '../functions/lib/node/node-config';
import { NodeAccessDeniedError, NodeError, NodeUnreachableError } from '../functions/lib/node/node-errors';
import type { ChannelBalance, NodeInfo, OnchainBalance } from '../functions/lib/node/node-types';

const NAME = 'node:check';

interface NodeFacts {
  info: NodeInfo;
  channels: ChannelBalance;
  onchain: OnchainBalance;
}

type NodeResult = { node: NamedNodeConnection; facts?: NodeFacts; problem?: string };

function explain(error: unknown): string {
  if (error instanceof NodeUnreachableError) return `cannot reach the node: ${error.details || error.message}`;
  if (error instanceof NodeAccessDeniedError) return `the node refused the credentials: ${error.details || error.message}`;
  if (error instanceof NodeError) return `the node answered with an error: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The credentials' text as it could appear in a message (PEM, hex): never printed, even if a library quoted one. */
function credentialTexts(node: NamedNodeConnection): string[] {
  const credentials = Object.values(node.connection).filter((field): field is Credential => typeof field === 'object' && field !== null && 'kind' in field);
  return credentials
    .flatMap((credential) => (credential.kind === 'value' ? [credential.value.toString('utf8'), credential.value.toString('hex')] : []))
    .flatMap((text) => text.split('\n'))
    .filter((line) => line.length >= 16 && !line.startsWith('-----'));
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((result, secret) => result.split(secret).join('[credential]'), text);
}

/** What is wrong with a node that answered: another network than the deployment's, or behind the chain. */
function judge(facts: NodeFacts, expectedNetwork: string | undefined): string | undefined {
  if (expectedNetwork !== undefined && facts.info.network !== expectedNetwork) return `the node is on ${facts.info.network}, not ${expectedNetwork} (LND_NETWORK)`;
  if (!facts.info.synced) return 'the node is not synced to the chain: it may miss settlements and cannot route payments';
  return undefined;
}

async function checkNode(node: NamedNodeConnection, timeoutMs: number, expectedNetwork: string | undefined): Promise<NodeResult> {
  let client: LightningNode | undefined;
  try {
    client = await connectNode(node.connection, { unaryTimeoutMs: timeoutMs });
    const [info, channels, onchain] = await Promise.all([client.getNodeInfo(), client.channelBalance(), client.onchainBalance()]);
    const facts = { info, channels, onchain };
    const problem = judge(facts, expectedNetwork);
    return problem ? { node, facts, problem } : { node, facts };
  } catch (error) {
    return { node, problem: redact(explain(error), credentialTexts(node)) };
  } finally {
    client?.close();
  }
}

const msat = (value: number) => `${value.toLocaleString('en-US')} msat`;

function report(result: NodeResult): string[] {
  const { node, facts, problem } = result;
  const lines = [`${problem ? '✗' : '✓'} ${node.id}  ${describeNode(node.connection)}${problem ? `: ${problem}` : ''}`];
  if (!facts) return lines;
  const { info, channels, onchain } = facts;
  lines.push(
    `    pubkey    ${info.pubkey}${info.alias ? ` (${info.alias})` : ''}`,
    `    network   ${info.network}, ${info.synced ? 'synced' : 'NOT synced'} at block ${info.blockHeight}`,
    `    channels  ${info.activeChannels} active; outbound ${msat(channels.outboundMsat)}, inbound ${msat(channels.inboundMsat)}`,
    `    on-chain  ${msat(onchain.confirmedMsat)} confirmed, ${msat(onchain.unconfirmedMsat)} unconfirmed`,
  );
  return lines;
}

/** Where the check writes: a line at a time, to stdout or stderr. */
export interface NodeCheckOutput {
  out(line: string): void;
  err(line: string): void;
}

/** The whole check on `env`, printing to `print`; resolves with the exit code (0 every node answered, 1 otherwise). Tests call this in-process. */
export async function runNodeCheck(env: NodeJS.ProcessEnv, print: NodeCheckOutput = { out: console.log, err: console.error }): Promise<number> {
  const { nodes, problems } = parseNodeList(env, { role: 'payments' });
  if (!nodes) {
    print.err(`${NAME}: invalid node settings: ${problems.join('; ')}`);
    return 1;
  }
  const timeoutMs = Number(env.NODE_CHECK_TIMEOUT_MS ?? 10_000);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    print.err(`${NAME}: NODE_CHECK_TIMEOUT_MS must be a positive whole number of milliseconds`);
    return 1;
  }
  const expectedNetwork = env.LND_NETWORK || undefined;
  print.out(`${NAME}: ${nodes.length} node${nodes.length === 1 ? '' : 's'} (${env.LIGHTNING_NODES ? 'LIGHTNING_NODES' : 'single-node variables'})`);
  const results = await Promise.all(nodes.map((node) => checkNode(node, timeoutMs, expectedNetwork)));
  for (const result of results) print.out(report(result).join('\n'));
  const failed = results.filter((result) => result.problem).length;
  if (failed > 0) {
    print.err(`${NAME}: ${failed} of ${results.length} node${results.length === 1 ? '' : 's'} failed`);
    return 1;
  }
  print.out(`${NAME}: every node answered`);
  return 0;
}

// Run as a command: `npm run node:check`, or `npm run lnd:check`, whose script only imports this one.
const here = fileURLToPath(import.meta.url);
const entry = process.argv[1] ? path.resolve(process.argv[1]) : '';
if (entry === here || entry === path.join(path.dirname(here), 'lnd-check.ts')) {
  runNodeCheck(process.env).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`${NAME}: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
