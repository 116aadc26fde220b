import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelBalance, OnchainBalance } from '../../functions/lib/node/node-types';
import type { PipelineNode } from '../../infra/local/local-node';
import { runNodeCheck } from '../../scripts/node-check';
import { startSimulatedNode, type SimulatedNode } from '../support/simulated-node';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '../..');

type CheckResult = { code: number; stdout: string; stderr: string };

/**
 * The check as a real process (node + tsx, as `npm run node:check` runs it): its exit code and
 * streams. Spawned for two cases only (a failing node, the lnd:check name), so the command's
 * wiring stays proven; the other cases ask the same check in-process (`nodeCheck` below),
 * without paying seconds of TypeScript loading each.
 */
async function nodeCheckProcess(env: Record<string, string>, script = 'scripts/node-check.ts'): Promise<CheckResult> {
  const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_CHECK_TIMEOUT_MS: '5000' };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, env: { ...baseEnv, ...env }, timeout: 25_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The same check through its exported entry point, on exactly `env` (nothing of this process's environment), its lines collected as the streams would carry them. */
async function nodeCheck(env: Record<string, string>): Promise<CheckResult> {
  let stdout = '';
  let stderr = '';
  const code = await runNodeCheck({ NODE_CHECK_TIMEOUT_MS: '5000', ...env }, { out: (line) => (stdout += `${line}\n`), err: (line) => (stderr += `${line}\n`) });
  return { code, stdout, stderr };
}

/** A LIGHTNING_NODES entry for a simulated node with the bridge's credentials as files; `host` may point elsewhere. */
function entry(id: string, node: PipelineNode, host = node.grpcHost): Record<string, string> {
  return node.backend === 'lnd'
    ? { id, backend: 'lnd', grpc_host: host, tls_cert_path: node.tlsCertPath, macaroon_path: node.adminMacaroonPath }
    : { id, backend: 'cln', grpc_host: host, ca_cert_path: node.caCertPath, client_cert_path: node.clientCertPath, client_key_path: node.clientKeyPath };
}

/** host:port where nothing listens (a port that was free a moment ago). */
async function closedAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

const msat = (value: number) => `${value.toLocaleString('en-US')} msat`;
/** The block of lines node:check prints for one node: its ✓/✗ line and the indented facts under it. */
const blockOf = (stdout: string, id: string) => {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => /^[✓✗] /.test(line) && line.slice(2).startsWith(`${id}  `));
  if (start < 0) return '';
  const end = lines.findIndex((line, index) => index > start && !line.startsWith('    '));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
};

describe('npm run node:check (scripts/node-check.ts) against simulated LND and Core Lightning', () => {
  const dirs: string[] = [];
  const sims: Partial<Record<'lnd' | 'cln', SimulatedNode>> = {};
  const balances: Partial<Record<'lnd' | 'cln', { channels: ChannelBalance; onchain: OnchainBalance }>> = {};
  const lnd = () => sims.lnd!;
  const cln = () => sims.cln!;
  const lndFiles = () => {
    const node = lnd().node;
    if (node.backend !== 'lnd') throw new Error('expected the LND simulator');
    return node;
  };

  beforeAll(async () => {
    for (const backend of ['lnd', 'cln'] as const) {
      const dataDir = await mkdtemp(path.join(tmpdir(), `node-check-${backend}-`));
      dirs.push(dataDir);
      const sim = await startSimulatedNode({ dataDir, backend });
      sims[backend] = sim;
      const client = await sim.connect('payments');
      try {
        balances[backend] = { channels: await client.channelBalance(), onchain: await client.onchainBalance() };
      } finally {
        client.close();
      }
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(Object.values(sims).map((sim) => sim.stop()));
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it("checks the single node of the LND_* variables: pubkey, network, sync, both channel sides and on-chain, as one ✓ block", async () => {
    const { channels, onchain } = balances.lnd!;
    const result = await nodeCheck({ LND_GRPC_HOST: lnd().grpcAddress, LND_TLS_CERT_PATH: lndFiles().tlsCertPath, LND_MACAROON_PATH: lndFiles().adminMacaroonPath });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('node:check: 1 node (single-node variables)');
    const block = blockOf(result.stdout, 'default');
    expect(block).toMatch(new RegExp(`^✓ default  lnd at ${lnd().grpcAddress}\n`));
    expect(block).toContain(`pubkey    ${lnd().pubkey}`);
    expect(block).toMatch(/network   regtest, synced at block \d+/);
    expect(block).toContain(`outbound ${msat(channels.outboundMsat)}, inbound ${msat(channels.inboundMsat)}`);
    expect(block).toContain(`on-chain  ${msat(onchain.confirmedMsat)} confirmed, ${msat(onchain.unconfirmedMsat)} unconfirmed`);
    expect(result.stdout).not.toContain(lnd().secretCredentialText());
  });

  it('checks every node of LIGHTNING_NODES, of both backends, and exits 0 when all answer', async () => {
    const nodes = [entry('lnd-a', lnd().node), entry('cln-b', cln().node)];
    const result = await nodeCheck({ LIGHTNING_NODES: JSON.stringify(nodes) });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('node:check: 2 nodes (LIGHTNING_NODES)');
    expect(blockOf(result.stdout, 'lnd-a')).toContain(`✓ lnd-a  lnd at ${lnd().grpcAddress}\n    pubkey    ${lnd().pubkey}`);
    const clnBlock = blockOf(result.stdout, 'cln-b');
    expect(clnBlock).toContain(`✓ cln-b  cln at ${cln().grpcAddress}\n    pubkey    ${cln().pubkey}`);
    expect(clnBlock).toContain(`outbound ${msat(balances.cln!.channels.outboundMsat)}, inbound ${msat(balances.cln!.channels.inboundMsat)}`);
    expect(result.stdout).toContain('node:check: every node answered');
    for (const sim of [lnd(), cln()]) expect(result.stdout + result.stderr).not.toContain(sim.secretCredentialText());
  });

  it('marks the node it cannot reach ✗ with the reason, the other ✓, and exits 1', async () => {
    const down = await closedAddress();
    const nodes = [entry('lnd-a', lnd().node), entry('cln-b', cln().node, down)];
    const result = await nodeCheckProcess({ LIGHTNING_NODES: JSON.stringify(nodes) });

    expect(result.code).toBe(1);
    expect(blockOf(result.stdout, 'lnd-a')).toMatch(/^✓ lnd-a/);
    expect(blockOf(result.stdout, 'cln-b')).toMatch(new RegExp(`^✗ cln-b  cln at ${down}: cannot reach the node: .+$`));
    expect(result.stderr.trim()).toBe('node:check: 1 of 2 nodes failed');
    expect(result.stdout + result.stderr).not.toContain(cln().secretCredentialText());
  });

  it('fails a node that answers on another network than LND_NETWORK, showing what it is', async () => {
    const result = await nodeCheck({ LIGHTNING_NODES: JSON.stringify([entry('cln-b', cln().node)]), LND_NETWORK: 'mainnet' });

    expect(result.code).toBe(1);
    const block = blockOf(result.stdout, 'cln-b');
    expect(block).toMatch(/^✗ cln-b  cln at \S+: the node is on regtest, not mainnet \(LND_NETWORK\)\n/);
    expect(block).toContain(`pubkey    ${cln().pubkey}`);
  });

  it('fails a node whose credentials cannot do what the bridge does, naming refused credentials', async () => {
    const node = lndFiles();
    // The API's invoice macaroon: GetInfo is allowed, channel balances are not.
    const result = await nodeCheck({ LIGHTNING_NODES: JSON.stringify([{ ...entry('lnd-a', node), macaroon_path: node.invoiceMacaroonPath }]) });

    expect(result.code).toBe(1);
    expect(blockOf(result.stdout, 'lnd-a')).toMatch(/^✗ lnd-a  lnd at \S+: the node refused the credentials: /);
  });

  it('refuses bad settings in one line that names them and never a value, before connecting to anything', async () => {
    const secret = 'ab'.repeat(40);
    const result = await nodeCheck({ LIGHTNING_NODES: JSON.stringify([{ id: 'lnd-a', backend: 'lnd', grpc_host: 'nowhere', tls_cert_path: '/missing/tls.cert', macaroon_hex: secret }]) });

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('LIGHTNING_NODES[0] (lnd-a): grpc_host must be host:port');
    expect(result.stderr).toContain('tls_cert_path: cannot read /missing/tls.cert');
    expect(result.stderr).not.toContain(secret);
  });

  it('answers as lnd:check too (scripts/lnd-check.ts is the same check)', async () => {
    const result = await nodeCheckProcess({ LIGHTNING_NODES: JSON.stringify([entry('cln-b', cln().node)]) }, 'scripts/lnd-check.ts');

    expect(result.code).toBe(0);
    expect(blockOf(result.stdout, 'cln-b')).toMatch(/^✓ cln-b  cln at /);
  });
});
