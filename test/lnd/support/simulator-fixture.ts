import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LndClient, type LndClientOptions } from '../../../functions/lib/lnd';
import { type LndSimulator, type LndSimulatorOptions, startLndSimulator } from '../../../lnd-simulator';

export type MacaroonRole = 'admin' | 'invoice' | 'payment';

export interface SimulatorFixture {
  sim: LndSimulator;
  dataDir: string;
  /** A client with the given macaroon; closed by stop(). */
  client(role?: MacaroonRole, options?: Partial<LndClientOptions>): LndClient;
  /** Stops the simulator (data kept) so a test can restart it on the same dataDir. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function makeTempDir(prefix = 'lnsim-test-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

function macaroonPath(sim: LndSimulator, role: MacaroonRole): string {
  if (role === 'admin') return sim.adminMacaroonPath;
  if (role === 'invoice') return sim.invoiceMacaroonPath;
  return sim.paymentMacaroonPath;
}

/** A simulator on free ports in a fresh temp dir, with clients that get cleaned up. */
export async function startSimulatorFixture(
  options: Partial<LndSimulatorOptions> = {},
): Promise<SimulatorFixture> {
  const dataDir = options.dataDir ?? (await makeTempDir());
  const start = () => startLndSimulator({ grpcPort: 0, controlPort: 0, ...options, dataDir });
  const clients: LndClient[] = [];
  const fixture: SimulatorFixture = {
    sim: await start(),
    dataDir,
    client(role = 'admin', clientOptions = {}) {
      const client = LndClient.fromFiles({
        host: fixture.sim.grpcAddress,
        tlsCertPath: fixture.sim.tlsCertPath,
        macaroonPath: macaroonPath(fixture.sim, role),
        ...clientOptions,
      });
      clients.push(client);
      return client;
    },
    async restart() {
      await fixture.sim.stop();
      fixture.sim = await start();
    },
    async stop() {
      for (const client of clients.splice(0)) client.close();
      await fixture.sim.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return fixture;
}
