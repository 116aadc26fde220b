import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatorFixture, startSimulatorFixture } from './support/simulator-fixture';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '../..');

async function lndCheck(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/lnd-check.ts'], {
      cwd: repoRoot,
      env: { ...baseEnv, ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run lnd:check (scripts/lnd-check.ts)', () => {
  let fixture: SimulatorFixture;

  beforeAll(async () => {
    fixture = await startSimulatorFixture();
  });
  afterAll(() => fixture.stop());

  it('prints the identity, network and channel balances of the node the LND_* variables point at', async () => {
    const result = await lndCheck({
      LND_GRPC_HOST: fixture.sim.grpcAddress,
      LND_TLS_CERT_PATH: fixture.sim.tlsCertPath,
      LND_MACAROON_PATH: fixture.sim.paymentMacaroonPath,
    });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`✓ default  lnd at ${fixture.sim.grpcAddress}`);
    expect(result.stdout).toContain(`pubkey    ${fixture.sim.pubkey}`);
    expect(result.stdout).toMatch(/network   regtest, synced at block \d+/);
    expect(result.stdout).toContain('outbound 10,000,000,000 msat');
    const macaroonHex = readFileSync(fixture.sim.paymentMacaroonPath).toString('hex');
    expect(result.stdout + result.stderr).not.toContain(macaroonHex);
  });

  it('fails with one line naming the missing variables', async () => {
    const result = await lndCheck({ LND_GRPC_HOST: fixture.sim.grpcAddress });

    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('LND_TLS_CERT_PATH');
    expect(result.stderr).toContain('LND_MACAROON_PATH');
    expect(result.stderr).not.toContain('LND_GRPC_HOST');
  });
});
